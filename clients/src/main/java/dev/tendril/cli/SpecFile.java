package dev.tendril.cli;

import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.DeploymentSpecReader;
import dev.tendril.protocol.spec.StrictYaml;
import dev.tendril.protocol.spec.Validated;

import java.util.List;

/** Client-side validation of a deployment spec (the node validates again), with the node's default limits. */
final class SpecFile {
    /** The nodes' default {@code security.maxSpecBytes}: a larger spec is refused before it is read. */
    static final int MAX_SPEC_BYTES = 256 << 10;

    private SpecFile() {
    }

    static Validated<DeploymentSpec> validate(String text) {
        Object tree;
        try {
            tree = StrictYaml.parseMapping(text, "(spec)", MAX_SPEC_BYTES);
        } catch (IllegalArgumentException e) {
            return new Validated.Invalid<>(List.of(e.getMessage()));
        }
        return DeploymentSpecReader.read(tree);
    }
}
