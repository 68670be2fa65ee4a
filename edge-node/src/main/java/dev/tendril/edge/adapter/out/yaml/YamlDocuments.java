package dev.tendril.edge.adapter.out.yaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.DeploymentSpecReader;
import dev.tendril.protocol.spec.Problems;
import dev.tendril.protocol.spec.StrictYaml;
import dev.tendril.protocol.spec.Validated;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Parses YAML text into a plain tree for the validating readers, through {@link StrictYaml}:
 * size-bounded, duplicate keys and documents that are not mappings are problems.
 */
public final class YamlDocuments {
    /** A deployment spec is at most this long unless configured otherwise (256 KiB). */
    public static final int DEFAULT_MAX_SPEC_BYTES = 256 << 10;
    /** Only for {@link #write}: a holder, so that a node (which never writes YAML) does not build a second mapper at start. */
    private static final class Writer {
        static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    }

    private YamlDocuments() {
    }

    /** The mapping, or null after recording the problem (size, syntax with line and column, duplicate key, shape). */
    public static Object parse(String text, String source, Problems problems) {
        return parse(text, source, problems, StrictYaml.MAX_CONFIG_BYTES);
    }

    private static Object parse(String text, String source, Problems problems, int maxChars) {
        try {
            return StrictYaml.parseMapping(text, source, maxChars);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage().startsWith(source + ": ") ? e.getMessage().substring(source.length() + 2) : e.getMessage();
            problems.bad(source, "(" + why + ")", "a well-formed YAML mapping, each key once, at most " + maxChars + " bytes");
            return null;
        }
    }

    public static Object read(Path file, Problems problems) {
        String text = readText(file, problems);
        return text == null ? null : parse(text, file.toString(), problems);
    }

    /** The file's text, or null after recording the problem (unreadable, over {@link StrictYaml#MAX_CONFIG_BYTES}). */
    public static String readText(Path file, Problems problems) {
        try {
            return StrictYaml.readFile(file, StrictYaml.MAX_CONFIG_BYTES);
        } catch (IOException e) {
            problems.bad(file.toString(), "(unreadable: " + e.getMessage() + ")", "a readable YAML file");
            return null;
        } catch (IllegalArgumentException e) {
            problems.bad(file.toString(), "(too large: " + e.getMessage() + ")", "a YAML file of at most "
                    + StrictYaml.MAX_CONFIG_BYTES + " bytes");
            return null;
        }
    }

    /** Parses and validates a deployment spec of at most {@value #DEFAULT_MAX_SPEC_BYTES} bytes. */
    public static Validated<DeploymentSpec> spec(String text) {
        return spec(text, DEFAULT_MAX_SPEC_BYTES);
    }

    /** Parses and validates a deployment spec; one over {@code maxBytes} (UTF-8) is refused before parsing. */
    public static Validated<DeploymentSpec> spec(String text, int maxBytes) {
        Problems problems = new Problems();
        long bytes = text.length() > maxBytes ? text.length() : text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            problems.bad("(spec)", "(" + (text.length() > maxBytes ? "more than " + text.length() + " characters" : bytes + " bytes") + ")",
                    "a spec of at most " + maxBytes + " bytes (security.maxSpecBytes)");
            return new Validated.Invalid<>(problems.messages());
        }
        Object tree = parse(text, "(spec)", problems, maxBytes);
        if (tree == null) {
            return new Validated.Invalid<>(problems.messages());
        }
        return DeploymentSpecReader.read(tree);
    }

    /** Serializes a plain tree back to YAML (for tools and tests). */
    public static String write(Object tree) {
        try {
            return Writer.YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write tree as YAML", e);
        }
    }

}
