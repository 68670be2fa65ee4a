package dev.tendril.protocol.spec;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one YAML reader of configuration files and deployment specs, hardened against hostile
 * input: the text is refused before parsing when it is longer than its limit, a key given
 * twice in one mapping is an error (not "the last one wins"), aliases are refused (no
 * "billion laughs"), nesting is bounded, every scalar is at most {@link #MAX_SCALAR_CHARS}
 * characters, a second document is refused, and the document must be a mapping. Problems are
 * thrown as IllegalArgumentException whose message names the source and, where known, line
 * and column.
 *
 * <p>It reads SnakeYAML's parser events into a plain tree ({@link LinkedHashMap}, {@link List},
 * scalars) itself, without a data-binding library (Jackson databind is ~470 classes and ~2 MB
 * of an idle edge node, docs/benchmarks.md). Scalars are typed as Jackson's YAML reader typed
 * them before: a plain scalar takes the type SnakeYAML's YAML 1.1 resolver gives it (int:
 * Integer, Long or BigInteger, whichever fits, with {@code 0x}, {@code 0b}, leading-0 octal and
 * {@code _}; float: Double; bool: {@code true/false/yes/no/on/off/y/n} in any case; null:
 * {@code ~}, {@code null} or nothing), everything else (quoted, timestamps, sexagesimal) is a
 * String; the explicit tags {@code !!str}, {@code !!int}, {@code !!float}, {@code !!bool} and
 * {@code !!null} are honoured, other tags ignored. Keys are always Strings (their text).
 */
public final class StrictYaml {
    /** A configuration file is at most this long (1 MiB). */
    public static final int MAX_CONFIG_BYTES = 1 << 20;
    /** One scalar (a key or a value) is at most this long (64 Ki characters). */
    public static final int MAX_SCALAR_CHARS = 64 << 10;
    static final int MAX_DEPTH = 32;
    /** SnakeYAML does not read a longer plain scalar before {@code :} as a key (YAML's limit for implicit keys). */
    private static final int MAX_IMPLICIT_KEY_CHARS = 1024;
    private static final Resolver RESOLVER = new Resolver();

    private StrictYaml() {
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
            tree = new TreeReader(text, source).document();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            String problem = firstLine(e.getProblem() != null ? e.getProblem() : e.getMessage());
            if (mark != null && mark.getColumn() > MAX_IMPLICIT_KEY_CHARS) { // SnakeYAML reads no longer plain key
                problem += " (a key is at most " + MAX_IMPLICIT_KEY_CHARS + " characters)";
            }
            throw new IllegalArgumentException(source + ": YAML syntax error" + where + ": " + problem);
        } catch (IllegalArgumentException e) {
            throw e; // ours, with source and place
        } catch (RuntimeException e) { // SnakeYAML's own limits (code points) surface unchecked
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

    /** SnakeYAML's events of one document to a plain tree. */
    private static final class TreeReader {
        private final Parser parser;
        private final String source;

        TreeReader(String text, String source) {
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(MAX_CONFIG_BYTES * 4); // the callers bound the text first; this is the backstop
            this.parser = new ParserImpl(new StreamReader(text), options);
            this.source = source;
        }

        /** The first document's value (null when there is none); a second document is refused. */
        Object document() {
            expect(Event.ID.StreamStart);
            if (parser.checkEvent(Event.ID.StreamEnd)) {
                return null;
            }
            expect(Event.ID.DocumentStart);
            Object value = value(parser.getEvent(), 1);
            expect(Event.ID.DocumentEnd);
            if (!parser.checkEvent(Event.ID.StreamEnd)) {
                throw problem(parser.peekEvent(), "a second document; allowed: one document per file");
            }
            return value;
        }

        private void expect(Event.ID id) {
            Event e = parser.getEvent();
            if (!e.is(id)) {
                throw problem(e, "unexpected " + e.getEventId() + " (wanted " + id + ")");
            }
        }

        /** @param depth of the lists and mappings around this value, itself included */
        private Object value(Event e, int depth) {
            if (depth > MAX_DEPTH && (e instanceof SequenceStartEvent || e instanceof MappingStartEvent)) {
                throw problem(e, "nesting depth over " + MAX_DEPTH + " lists and mappings");
            }
            if (e instanceof ScalarEvent s) {
                return scalar(s);
            }
            if (e instanceof AliasEvent a) {
                throw problem(e, "an alias (*" + a.getAnchor() + "); aliases are not supported: write the value out");
            }
            if (e instanceof SequenceStartEvent) {
                List<Object> list = new ArrayList<>();
                for (Event next = parser.getEvent(); !next.is(Event.ID.SequenceEnd); next = parser.getEvent()) {
                    list.add(value(next, depth + 1));
                }
                return list;
            }
            if (e instanceof MappingStartEvent) {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Event key = parser.getEvent(); !key.is(Event.ID.MappingEnd); key = parser.getEvent()) {
                    if (!(key instanceof ScalarEvent k)) {
                        throw problem(key, "a key that is not a plain value (a list, mapping or alias)");
                    }
                    String name = k.getValue();
                    if (map.containsKey(name)) {
                        throw problem(key, "duplicate key '" + abbreviate(name) + "' (each key at most once in a mapping)");
                    }
                    map.put(name, value(parser.getEvent(), depth + 1));
                }
                return map;
            }
            throw problem(e, "unexpected " + e.getEventId());
        }

        private IllegalArgumentException problem(Event e, String what) {
            Mark m = e.getStartMark();
            String where = m == null ? "" : " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
            return new IllegalArgumentException(source + ": YAML error" + where + ": " + what);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** A scalar typed as described in the class comment. */
    static Object scalar(ScalarEvent e) {
        String value = e.getValue();
        String tag = e.getTag();
        if (tag == null || tag.equals("!")) {
            Tag resolved = RESOLVER.resolve(NodeId.scalar, value, e.getImplicit().canOmitTagInPlainScalar());
            if (resolved.equals(Tag.INT)) {
                return orText(integer(value), value);
            }
            if (resolved.equals(Tag.FLOAT)) {
                return orText(floating(value), value);
            }
            if (resolved.equals(Tag.BOOL)) {
                return orText(bool(value), value);
            }
            return resolved.equals(Tag.NULL) ? null : value;
        }
        String type = tag.startsWith(Tag.PREFIX) ? tag.substring(Tag.PREFIX.length()) : "";
        return switch (type) {
            case "bool" -> orText(bool(value), value);
            case "int" -> value.isEmpty() ? value : orText(integer(value), value);
            case "float" -> value.isEmpty() ? value : orText(floating(value), value);
            case "null" -> value.isEmpty() ? value : null;
            default -> value;
        };
    }

    private static Object orText(Object typed, String text) {
        return typed != null ? typed : text;
    }

    private static Boolean bool(String v) {
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "y" -> Boolean.TRUE;
            case "false", "no", "off", "n" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Integer, Long or BigInteger, the smallest that holds it; null when it is not a number we read (sexagesimal). */
    private static Number integer(String v) {
        String digits = v.replace("_", "");
        boolean negative = digits.startsWith("-");
        if (negative || digits.startsWith("+")) {
            digits = digits.substring(1);
        }
        int radix = 10;
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            char c = digits.charAt(1);
            if (c == 'x' || c == 'X' || c == 'b' || c == 'B') {
                radix = c == 'x' || c == 'X' ? 16 : 2;
                digits = digits.substring(2);
            } else {
                radix = 8;
                digits = digits.substring(1);
            }
        }
        if (digits.isEmpty()) {
            return null;
        }
        BigInteger n;
        try {
            n = new BigInteger(digits, radix);
        } catch (NumberFormatException e) {
            return null;
        }
        if (negative) {
            n = n.negate();
        }
        if (n.bitLength() < 32) {
            return n.intValue();
        }
        return n.bitLength() < 64 ? (Number) n.longValue() : n;
    }

    private static Double floating(String v) {
        try {
            return Double.valueOf(v.replace("_", ""));
        } catch (NumberFormatException e) {
            return null; // .inf, .nan, sexagesimal
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
