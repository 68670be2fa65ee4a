package dev.tendril.geoip.adapter.in.csv;

import dev.tendril.geoip.domain.GeoEntry;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.net.Cidr;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a GeoIP source CSV: a header line {@code cidr,lat,lon,city,country}, then one network
 * per line. Blank lines and lines starting with {@code #} are skipped. Fields may be quoted
 * with double quotes (a quote inside is written twice), so city names may hold commas.
 * The file is UTF-8.
 *
 * <p>Every problem is reported, each as {@code file:line: what is wrong, the bad value and
 * what is allowed}; a file with any problem yields no entries.
 */
public final class CityCsvParser {
    public static final String HEADER = "cidr,lat,lon,city,country";
    private static final int MAX_PROBLEMS = 50;
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)");

    /** Outcome of parsing one file. */
    public sealed interface Result permits Parsed, Rejected {}

    /** Every line was valid. */
    public record Parsed(List<GeoEntry> entries) implements Result {
        public Parsed {
            entries = List.copyOf(entries);
        }
    }

    /** At least one line was invalid; {@code problems} name file and line. */
    public record Rejected(List<String> problems) implements Result {
        public Rejected {
            problems = List.copyOf(problems);
        }
    }

    /** Parses a file. I/O errors (missing file, not UTF-8) are reported as a problem too. */
    public Result parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            return new Rejected(List.of(file + ": not UTF-8 text"));
        } catch (IOException e) {
            return new Rejected(List.of(file + ": cannot read: " + e));
        }
        return parse(file.toString(), lines);
    }

    /** Parses lines read from {@code name} (used in messages). */
    public Result parse(String name, List<String> lines) {
        List<String> problems = new ArrayList<>();
        List<GeoEntry> entries = new ArrayList<>();
        Map<Cidr, Integer> firstLine = new HashMap<>();
        boolean headerSeen = false;
        for (int i = 0; i < lines.size() && problems.size() < MAX_PROBLEMS; i++) {
            String where = name + ":" + (i + 1) + ": ";
            String line = i == 0 ? stripBom(lines.get(i)) : lines.get(i);
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (!headerSeen) {
                headerSeen = true;
                if (!trimmed.replace(" ", "").toLowerCase(Locale.ROOT).equals(HEADER)) {
                    problems.add(where + "expected the header line '" + HEADER + "', got '" + trimmed + "'");
                }
                continue;
            }
            try {
                GeoEntry entry = parseRow(line);
                Integer earlier = firstLine.putIfAbsent(entry.network(), i + 1);
                if (earlier != null) {
                    problems.add(where + "network " + entry.network() + " is already listed on line " + earlier
                            + "; each network may appear once (a more specific network inside it is allowed and wins)");
                } else {
                    entries.add(entry);
                }
            } catch (IllegalArgumentException e) {
                problems.add(where + e.getMessage());
            }
        }
        if (!headerSeen) {
            problems.add(name + ":1: empty file: expected the header line '" + HEADER + "'");
        }
        if (problems.size() >= MAX_PROBLEMS) {
            problems.add(name + ": stopped after " + MAX_PROBLEMS + " problems");
        }
        return problems.isEmpty() ? new Parsed(entries) : new Rejected(problems);
    }

    private static GeoEntry parseRow(String line) {
        List<String> fields = CsvLine.split(line);
        if (fields.size() != 5) {
            throw new IllegalArgumentException("expected 5 fields (" + HEADER + "), got " + fields.size()
                    + " in '" + line.strip() + "'");
        }
        Cidr network = parseNetwork(fields.get(0).strip());
        double lat = parseCoordinate("latitude", fields.get(1).strip(), 90);
        double lon = parseCoordinate("longitude", fields.get(2).strip(), 180);
        String city = fields.get(3).strip();
        String country = fields.get(4).strip();
        if (!country.isEmpty() && !country.matches("[A-Z]{2}")) {
            throw new IllegalArgumentException("country '" + country
                    + "' is not allowed: use an ISO 3166-1 alpha-2 code in upper case (e.g. DE) or leave it empty");
        }
        return new GeoEntry(network, new GeoPoint(lat, lon), city, country);
    }

    static Cidr parseNetwork(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("network '" + text
                    + "' has no prefix length: write address/prefix, e.g. 10.1.0.0/16 or 2001:db8::/32");
        }
        String addressText = text.substring(0, slash);
        byte[] given;
        try {
            given = Cidr.parse(addressText).networkBytes();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad network '" + text
                    + "': allowed is an IPv4 or IPv6 literal address/prefix, e.g. 10.1.0.0/16 or 2001:db8::/32");
        }
        if (addressText.indexOf(':') >= 0 && given.length == 4) {
            throw new IllegalArgumentException("network '" + text
                    + "' is an IPv4-mapped IPv6 network: write the IPv4 network instead (e.g. 192.0.2.0/24)");
        }
        Cidr network;
        try {
            network = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad prefix length in network '" + text + "': allowed is 0-"
                    + given.length * 8 + " for " + (given.length == 4 ? "IPv4" : "IPv6"));
        }
        if (!Arrays.equals(given, network.networkBytes())) {
            throw new IllegalArgumentException("network '" + text + "' has host bits set: allowed is the network address, i.e. "
                    + network);
        }
        if (network.isIpv6() && network.prefixLength() >= 96 && inIpv4Space(given)) {
            throw new IllegalArgumentException("network '" + text
                    + "' lies in ::/96 or ::ffff:0:0/96, where the database keeps IPv4: write the IPv4 network instead");
        }
        return network;
    }

    private static boolean inIpv4Space(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return false;
            }
        }
        return (v6[10] == 0 && v6[11] == 0) || (v6[10] == (byte) 0xff && v6[11] == (byte) 0xff);
    }

    private static double parseCoordinate(String what, String text, int limit) {
        if (!DECIMAL.matcher(text).matches()) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a decimal number: allowed is degrees from -"
                    + limit + " to " + limit + ", e.g. 48.137");
        }
        double value = Double.parseDouble(text);
        if (value < -limit || value > limit) {
            throw new IllegalArgumentException(what + " '" + text + "' is out of range: allowed is -" + limit + " to " + limit
                    + " degrees");
        }
        return value;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
