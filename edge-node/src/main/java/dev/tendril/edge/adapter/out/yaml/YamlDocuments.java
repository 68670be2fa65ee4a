package dev.tendril.edge.adapter.out.yaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.DeploymentSpecReader;
import dev.tendril.protocol.spec.Problems;
import dev.tendril.protocol.spec.Validated;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Parses YAML text into a plain tree (maps, lists, scalars) for the validating readers. */
public final class YamlDocuments {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private YamlDocuments() {
    }

    /** The tree, or null after recording a syntax problem (with line and column). */
    public static Object parse(String text, String source, Problems problems) {
        try {
            Object tree = YAML.readValue(text, Object.class);
            if (tree == null) {
                problems.bad(source, "(empty document)", "a YAML mapping");
            }
            return tree;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            problems.bad(source, "(YAML syntax error" + where + ")", "well-formed YAML: " + e.getOriginalMessage());
            return null;
        }
    }

    public static Object read(Path file, Problems problems) {
        try {
            return parse(Files.readString(file), file.toString(), problems);
        } catch (IOException e) {
            problems.bad(file.toString(), "(unreadable: " + e.getMessage() + ")", "a readable YAML file");
            return null;
        }
    }

    /** Parses and validates a deployment spec. */
    public static Validated<DeploymentSpec> spec(String text) {
        Problems problems = new Problems();
        Object tree = parse(text, "(spec)", problems);
        if (tree == null) {
            return new Validated.Invalid<>(problems.messages());
        }
        return DeploymentSpecReader.read(tree);
    }

    /** Serializes a plain tree back to YAML (for tools and tests). */
    public static String write(Object tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write tree as YAML", e);
        }
    }

}
