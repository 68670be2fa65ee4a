package dev.tendril.edge.adapter.out.yaml;

import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.Validated;

/** Parses and validates deployment spec text (the node-side check of every deploy). */
public final class SpecParser {
    private SpecParser() {
    }

    public static Validated<DeploymentSpec> parse(String text) {
        return YamlDocuments.spec(text);
    }

    /** As {@link #parse(String)}; a spec over {@code maxBytes} is refused before parsing. */
    public static Validated<DeploymentSpec> parse(String text, int maxBytes) {
        return YamlDocuments.spec(text, maxBytes);
    }
}
