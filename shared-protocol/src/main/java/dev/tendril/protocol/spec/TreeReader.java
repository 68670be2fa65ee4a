package dev.tendril.protocol.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads typed values out of a parsed YAML/JSON tree (maps, lists, strings, numbers,
 * booleans) and records a {@link Problems.Problem} for every missing or bad value instead
 * of stopping at the first. Keys are reported as dotted paths ({@code platform.position.lat}).
 * Getters return a fallback after recording a problem, so reading can go on.
 */
public final class TreeReader {
    private final String path;
    private final Map<String, Object> map;
    private final Problems problems;

    public TreeReader(String path, Map<String, Object> map, Problems problems) {
        this.path = path;
        this.map = map == null ? Map.of() : map;
        this.problems = problems;
    }

    /** A reader over a whole document (the root must be a mapping). */
    @SuppressWarnings("unchecked")
    public static TreeReader root(Object document, Problems problems) {
        if (document instanceof Map<?, ?> m) {
            return new TreeReader("", (Map<String, Object>) m, problems);
        }
        problems.bad("(document)", document == null ? "" : document.getClass().getSimpleName(), "a mapping of keys to values");
        return new TreeReader("", Map.of(), problems);
    }

    public Problems problems() {
        return problems;
    }

    public String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    public boolean has(String name) {
        return map.get(name) != null;
    }

    /** Records every key not in {@code known}. */
    public void rejectUnknown(String... known) {
        Set<String> allowed = Set.of(known);
        for (String k : map.keySet()) {
            if (!allowed.contains(k)) {
                problems.bad(key(k), "(unknown key)", "one of " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    public Optional<String> optString(String name) {
        Object v = map.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            problems.bad(key(name), v, "a single text value");
            return Optional.empty();
        }
        return Optional.of(String.valueOf(v));
    }

    public String string(String name, String allowed) {
        Optional<String> s = optString(name);
        if (s.isEmpty() && !has(name)) {
            problems.missing(key(name), allowed);
        }
        return s.orElse("");
    }

    public String string(String name, String fallback, String allowed) {
        return optString(name).orElse(fallback);
    }

    public boolean bool(String name, boolean fallback) {
        Object v = map.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        problems.bad(key(name), v, "true or false");
        return fallback;
    }

    /** An integer in [min, max]; {@code fallback} when absent (null fallback = required). */
    public long integer(String name, Long fallback, long min, long max) {
        Object v = map.get(name);
        String allowed = "an integer in [" + min + ", " + max + "]";
        if (v == null) {
            if (fallback == null) {
                problems.missing(key(name), allowed);
                return min;
            }
            return fallback;
        }
        if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= min && ((Number) v).longValue() <= max) {
            return ((Number) v).longValue();
        }
        problems.bad(key(name), v, allowed);
        return fallback == null ? min : fallback;
    }

    /** A number in [min, max]; {@code fallback} when absent (null fallback = required). */
    public double number(String name, Double fallback, double min, double max) {
        Object v = map.get(name);
        String allowed = "a number in [" + fmt(min) + ", " + fmt(max) + "]";
        if (v == null) {
            if (fallback == null) {
                problems.missing(key(name), allowed);
                return min;
            }
            return fallback;
        }
        if (v instanceof Number n && n.doubleValue() >= min && n.doubleValue() <= max && !Double.isNaN(n.doubleValue())) {
            return n.doubleValue();
        }
        problems.bad(key(name), v, allowed);
        return fallback == null ? min : fallback;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** A size in bytes ("512Mi", "8Gi", a bare byte count); {@code fallback} when absent (null = required). */
    public long size(String name, Long fallback) {
        Object v = map.get(name);
        if (v == null) {
            if (fallback == null) {
                problems.missing(key(name), Quantities.SIZE_FORMS);
                return 0;
            }
            return fallback;
        }
        OptionalLong bytes = v instanceof Map || v instanceof List || v instanceof Boolean
                ? OptionalLong.empty() : Quantities.parseSize(String.valueOf(v));
        if (bytes.isEmpty()) {
            problems.bad(key(name), v, Quantities.SIZE_FORMS);
            return fallback == null ? 0 : fallback;
        }
        return bytes.getAsLong();
    }

    /** A positive duration ("30s"); {@code fallback} when absent (null = required). */
    public Duration duration(String name, Duration fallback) {
        Object v = map.get(name);
        if (v == null) {
            if (fallback == null) {
                problems.missing(key(name), Quantities.DURATION_FORMS);
                return Duration.ofSeconds(1);
            }
            return fallback;
        }
        Duration d = v instanceof Map || v instanceof List ? null : Quantities.parseDuration(String.valueOf(v));
        if (d == null || d.isZero()) {
            problems.bad(key(name), v, "a positive duration: " + Quantities.DURATION_FORMS);
            return fallback == null ? Duration.ofSeconds(1) : fallback;
        }
        return d;
    }

    /** A nested mapping; an empty reader when absent (and a problem when {@code required}). */
    @SuppressWarnings("unchecked")
    public TreeReader object(String name, boolean required, String allowed) {
        Object v = map.get(name);
        if (v == null) {
            if (required) {
                problems.missing(key(name), allowed);
            }
            return new TreeReader(key(name), Map.of(), problems);
        }
        if (!(v instanceof Map)) {
            problems.bad(key(name), v, allowed);
            return new TreeReader(key(name), Map.of(), problems);
        }
        return new TreeReader(key(name), (Map<String, Object>) v, problems);
    }

    /** A list of mappings; empty when absent. */
    @SuppressWarnings("unchecked")
    public List<TreeReader> objects(String name, String allowed) {
        Object v = map.get(name);
        List<TreeReader> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof List<?> list)) {
            problems.bad(key(name), v, "a list of " + allowed);
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            String itemKey = key(name) + "[" + i + "]";
            if (item instanceof Map) {
                out.add(new TreeReader(itemKey, (Map<String, Object>) item, problems));
            } else {
                problems.bad(itemKey, item, allowed);
            }
        }
        return out;
    }

    /** A list of texts (a single text counts as a list of one); empty when absent. */
    public List<String> strings(String name, String allowed) {
        Object v = map.get(name);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                if (item == null || item instanceof Map || item instanceof List) {
                    problems.bad(key(name) + "[" + i + "]", item, allowed);
                } else {
                    out.add(String.valueOf(item));
                }
            }
        } else if (v instanceof Map) {
            problems.bad(key(name), v, "a list of " + allowed);
        } else {
            out.add(String.valueOf(v));
        }
        return out;
    }

    /** A mapping of text to text (numbers and booleans become text); empty when absent. */
    public Map<String, String> stringMap(String name, String allowed) {
        Object v = map.get(name);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof Map<?, ?> m)) {
            problems.bad(key(name), v, allowed);
            return out;
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object val = e.getValue();
            if (val instanceof Map || val instanceof List) {
                problems.bad(key(name) + "." + e.getKey(), val, "a single text value");
            } else {
                out.put(String.valueOf(e.getKey()), val == null ? "" : String.valueOf(val));
            }
        }
        return out;
    }

    /** Records a problem at {@code name} of this reader. */
    public void bad(String name, Object value, String allowed) {
        problems.bad(key(name), value, allowed);
    }

    public void missing(String name, String allowed) {
        problems.missing(key(name), allowed);
    }
}
