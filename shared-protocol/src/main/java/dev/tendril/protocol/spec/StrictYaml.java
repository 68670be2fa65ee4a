package dev.tendril.protocol.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The one YAML reader of configuration files and deployment specs, hardened against hostile
 * input: the text is refused before parsing when it is longer than its limit, a key given
 * twice in one mapping is an error (not "the last one wins"), aliases are bounded (no
 * "billion laughs"), nesting is bounded, every scalar is at most {@link #MAX_SCALAR_CHARS}
 * characters, and the document must be a mapping. Problems are thrown as
 * IllegalArgumentException whose message names the source and, where known, line and column.
 */
public final class StrictYaml {
    /** A configuration file is at most this long (1 MiB). */
    public static final int MAX_CONFIG_BYTES = 1 << 20;
    /** One scalar (a key or a value) is at most this long (64 Ki characters). */
    public static final int MAX_SCALAR_CHARS = 64 << 10;
    static final int MAX_DEPTH = 32;
    static final int MAX_ALIASES = 20;

    private static final ObjectMapper YAML = mapper();

    private StrictYaml() {
    }

    private static ObjectMapper mapper() {
        LoaderOptions loader = new LoaderOptions();
        loader.setAllowDuplicateKeys(false);
        loader.setMaxAliasesForCollections(MAX_ALIASES);
        loader.setNestingDepthLimit(MAX_DEPTH);
        loader.setCodePointLimit(MAX_CONFIG_BYTES * 4); // the callers bound the text first; this is the backstop
        YAMLFactory factory = YAMLFactory.builder().loaderOptions(loader)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                        .maxStringLength(MAX_SCALAR_CHARS).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        return new ObjectMapper(factory);
    }

    /** Reads a file of at most {@code maxBytes} bytes (UTF-8), refusing a longer one before reading it. */
    public static String readFile(Path file, int maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new IllegalArgumentException(file + ": " + size + " bytes; at most " + maxBytes + " allowed");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(maxBytes + 1); // the file may have grown since
            if (bytes.length > maxBytes) {
                throw new IllegalArgumentException(file + ": more than " + maxBytes + " bytes; at most " + maxBytes + " allowed");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Parses a configuration document: a mapping, within {@link #MAX_CONFIG_BYTES}. */
    public static Map<String, Object> parseMapping(String text, String source) {
        return parseMapping(text, source, MAX_CONFIG_BYTES);
    }

    /** Parses a document that must be a mapping, refusing text longer than {@code maxChars} before parsing. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseMapping(String text, String source, int maxChars) {
        Object tree = parseAny(text, source, maxChars);
        if (!(tree instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(source + ": the document is " + describe(tree)
                    + "; allowed: a mapping of keys to values");
        }
        return (Map<String, Object>) map;
    }

    /** Parses any YAML value (a scalar, list or mapping), e.g. the value of a {@code --set key=value}. */
    public static Object parseAny(String text, String source, int maxChars) {
        if (text.length() > maxChars) {
            throw new IllegalArgumentException(source + ": " + text.length() + " characters; at most " + maxChars + " allowed");
        }
        if (text.isBlank()) {
            return null;
        }
        Object tree;
        try {
            tree = YAML.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new IllegalArgumentException(source + ": YAML syntax error" + where + ": " + firstLine(e.getOriginalMessage()));
        } catch (RuntimeException e) { // SnakeYAML's own limits (aliases, code points) surface unchecked
            throw new IllegalArgumentException(source + ": YAML error: " + firstLine(String.valueOf(e.getMessage())));
        }
        checkScalars(tree, source, 0);
        return tree;
    }

    private static void checkScalars(Object node, String source, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(source + ": nested deeper than " + MAX_DEPTH);
        }
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                checkScalars(e.getKey(), source, depth + 1);
                checkScalars(e.getValue(), source, depth + 1);
            }
        } else if (node instanceof List<?> l) {
            for (Object o : l) {
                checkScalars(o, source, depth + 1);
            }
        } else if (node instanceof CharSequence s && s.length() > MAX_SCALAR_CHARS) {
            throw new IllegalArgumentException(source + ": a value of " + s.length() + " characters; at most "
                    + MAX_SCALAR_CHARS + " allowed");
        }
    }

    private static String describe(Object tree) {
        if (tree == null) {
            return "empty";
        }
        if (tree instanceof List) {
            return "a list";
        }
        return "a single value";
    }

    private static String firstLine(String message) {
        String m = message == null ? "" : message.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
