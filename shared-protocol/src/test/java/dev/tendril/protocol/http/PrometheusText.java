package dev.tendril.protocol.http;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parser of the Prometheus text exposition format 0.0.4 for tests. No Java library on Maven
 * Central parses this format (the Prometheus Java client and Micrometer only write it), so this
 * one checks the grammar line by line, as the Prometheus server's own parser does: HELP and TYPE
 * lines with their escapes, metric and label names, quoted label values with {@code \\},
 * {@code \"} and {@code \n} escapes, float values ({@code NaN}, {@code +Inf}), optional
 * timestamps; and the rules across lines: one TYPE per family, before its samples; a family's
 * lines together; no label set twice; histogram buckets cumulative with a {@code +Inf} bucket
 * equal to {@code _count}. Any violation throws {@link IllegalArgumentException} naming the line.
 */
public final class PrometheusText {
    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** One metric family: its TYPE (untyped when none was given), HELP and samples. */
    public record Family(String name, String type, String help, List<Sample> samples) {
    }

    private final Map<String, Family> families;

    private PrometheusText(Map<String, Family> families) {
        this.families = families;
    }

    public Map<String, Family> families() {
        return families;
    }

    /** The value of the sample {@code name} with exactly these labels (others ignored: pass a subset). */
    public Optional<Double> value(String name, Map<String, String> labels) {
        double sum = 0;
        boolean found = false;
        for (Family f : families.values()) {
            for (Sample s : f.samples()) {
                if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
                    sum += s.value();
                    found = true;
                }
            }
        }
        return found ? Optional.of(sum) : Optional.empty();
    }

    /** The sum over every sample named {@code name} whose labels include {@code labels}; 0 when none. */
    public double sum(String name, Map<String, String> labels) {
        return value(name, labels).orElse(0.0);
    }

    public static PrometheusText parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> seenSeries = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " '" + line + "': ";
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    requireMetricName(name, where);
                    current = switchTo(name, current, families, closed, where);
                    Family f = families.get(name);
                    String rest = parts.length == 4 ? parts[3] : "";
                    if (parts[1].equals("HELP")) {
                        if (f.help() != null) {
                            throw new IllegalArgumentException(where + "a second HELP for " + name);
                        }
                        families.put(name, new Family(name, f.type(), unescapeHelp(rest, where), f.samples()));
                    } else {
                        if (!f.samples().isEmpty() || !"untyped-default".equals(f.type())) {
                            throw new IllegalArgumentException(where + "TYPE after samples or twice for " + name);
                        }
                        if (!Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(rest)) {
                            throw new IllegalArgumentException(where + "unknown type '" + rest + "'");
                        }
                        families.put(name, new Family(name, rest, f.help(), f.samples()));
                    }
                }
                continue; // any other comment
            }
            Sample s = sample(line, where);
            String family = familyOf(s.name(), current, families);
            current = switchTo(family, current, families, closed, where);
            if (!seenSeries.add(s.name() + s.labels())) {
                throw new IllegalArgumentException(where + "the series " + s.name() + s.labels() + " appears twice");
            }
            families.get(family).samples().add(s);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (Family f : families.values()) {
            Family done = new Family(f.name(), f.type().equals("untyped-default") ? "untyped" : f.type(),
                    f.help() == null ? "" : f.help(), List.copyOf(f.samples()));
            if (done.type().equals("histogram")) {
                checkHistogram(done);
            }
            out.put(f.name(), done);
        }
        return new PrometheusText(out);
    }

    private static String switchTo(String name, String current, Map<String, Family> families, Set<String> closed, String where) {
        if (name.equals(current)) {
            return current;
        }
        if (closed.contains(name)) {
            throw new IllegalArgumentException(where + "the lines of " + name + " are not together");
        }
        if (current != null) {
            closed.add(current);
        }
        families.computeIfAbsent(name, k -> new Family(k, "untyped-default", null, new ArrayList<>()));
        return name;
    }

    private static String familyOf(String sampleName, String current, Map<String, Family> families) {
        if (current != null) {
            String type = families.get(current).type();
            if (sampleName.equals(current)) {
                return current;
            }
            boolean histogram = type.equals("histogram");
            boolean summary = type.equals("summary");
            for (String suffix : List.of("_bucket", "_sum", "_count")) {
                if ((histogram || (summary && !suffix.equals("_bucket"))) && sampleName.equals(current + suffix)) {
                    return current;
                }
            }
        }
        return sampleName;
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        requireMetricName(name, where);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException(where + "a label without '='");
                }
                String label = line.substring(i, eq);
                if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                    throw new IllegalArgumentException(where + "bad label name '" + label + "'");
                }
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException(where + "label value of " + label + " is not quoted");
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                while (true) {
                    if (j >= line.length()) {
                        throw new IllegalArgumentException(where + "unterminated label value of " + label);
                    }
                    char c = line.charAt(j++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char e = j < line.length() ? line.charAt(j++) : ' ';
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new IllegalArgumentException(where + "bad escape \\" + e + " in " + label);
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(label, v.toString()) != null) {
                    throw new IllegalArgumentException(where + "label " + label + " twice");
                }
                i = j;
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i >= line.length() || line.charAt(i) != '}') {
                    throw new IllegalArgumentException(where + "expected ',' or '}' after the value of " + label);
                }
            }
        }
        String[] rest = line.substring(i).trim().split(" +");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            throw new IllegalArgumentException(where + "expected a value and an optional timestamp");
        }
        double value = number(rest[0], where);
        if (rest.length == 2 && !rest[1].matches("-?[0-9]+")) {
            throw new IllegalArgumentException(where + "bad timestamp '" + rest[1] + "'");
        }
        return new Sample(name, Map.copyOf(labels), value);
    }

    private static double number(String s, String where) {
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!s.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
                    throw new IllegalArgumentException(where + "bad value '" + s + "'");
                }
                return Double.parseDouble(s);
        }
    }

    private static void requireMetricName(String name, String where) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
        }
    }

    private static String unescapeHelp(String s, String where) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                char e = i + 1 < s.length() ? s.charAt(++i) : ' ';
                switch (e) {
                    case '\\' -> b.append('\\');
                    case 'n' -> b.append('\n');
                    default -> throw new IllegalArgumentException(where + "bad escape \\" + e + " in HELP");
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Per label set (without le): buckets cumulative, a +Inf bucket, equal to _count. */
    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> key = new LinkedHashMap<>(s.labels());
            key.remove("le");
            if (s.name().equals(f.name() + "_bucket")) {
                if (!s.labels().containsKey("le")) {
                    throw new IllegalArgumentException(f.name() + ": a bucket without le");
                }
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            } else if (s.name().equals(f.name() + "_count")) {
                counts.put(key, s.value());
            }
        }
        buckets.forEach((key, list) -> {
            double prevLe = Double.NEGATIVE_INFINITY;
            double prev = 0;
            for (Sample b : list) {
                double le = number(b.labels().get("le"), f.name() + " le: ");
                if (le <= prevLe || b.value() < prev) {
                    throw new IllegalArgumentException(f.name() + key + ": buckets not increasing at le=" + b.labels().get("le"));
                }
                prevLe = le;
                prev = b.value();
            }
            if (prevLe != Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(f.name() + key + ": no +Inf bucket");
            }
            Double count = counts.get(key);
            if (count == null || count != prev) {
                throw new IllegalArgumentException(f.name() + key + ": +Inf bucket " + prev + " != _count " + count);
            }
        });
    }
}
