package dev.tendril.root.bootstrap;

import dev.tendril.protocol.spec.StrictYaml;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * YAML text to a plain tree (maps, lists, scalars), and {@code a.b.c=value} overrides applied
 * to one. Parsing is {@link StrictYaml}'s: size-bounded, duplicate keys and a document that is
 * not a mapping are errors.
 */
final class YamlTree {
    private YamlTree() {
    }

    /** The parsed mapping; throws IllegalArgumentException naming the source, line and column. */
    static Object parse(String text, String source) {
        return StrictYaml.parseMapping(text, source);
    }

    /**
     * Sets {@code path} (dotted keys) to {@code value}, read as a YAML scalar (so {@code 0}
     * is a number and {@code [a, b]} a list). Missing mappings on the way are created.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> override(Object tree, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set needs key=value (e.g. dns.port=0), got '" + assignment + "'");
        }
        Map<String, Object> root = tree instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
        String[] keys = assignment.substring(0, eq).split("\\.");
        Object value = StrictYaml.parseAny(assignment.substring(eq + 1), "--set " + assignment.substring(0, eq),
                StrictYaml.MAX_SCALAR_CHARS);
        Map<String, Object> at = root;
        for (int i = 0; i < keys.length - 1; i++) {
            Object next = at.get(keys[i]);
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                at.put(keys[i], next);
            }
            at = (Map<String, Object>) next;
        }
        at.put(keys[keys.length - 1], value);
        return root;
    }
}
