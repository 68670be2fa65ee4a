package dev.tendril.cli;

import dev.tendril.edge.testing.links.Topology;
import dev.tendril.protocol.geo.GeoPoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The emulated networks of the real-process experiments for the link harness: a tree of
 * switches, hosts hanging off switches, a one-way delay on every link; the delay between two
 * hosts is the sum of the link delays on the tree path between them.
 * <ul>
 * <li>A: a binary tree of 7 switches (s1 on top, s2-s3, s4-s7), platform {@code pi} and user
 *     {@code ui} on switch {@code si};</li>
 * <li>B, C, D: a binary tree of depth 5 (31 switches), 10/20/30 platforms on switches at even
 *     depth (0, 2, 4: so platforms next to each other in the tree are an even number of hops
 *     apart), as many users on random switches;</li>
 * </ul>
 * every link 5 ms one way there, the root on s1, so two hosts are {@code (switch hops + 2) x 5 ms}
 * apart. H (heterogeneous): switches in Munich (s1), Potsdam (s2) and Frankfurt (s3, the root's),
 * links Munich-Potsdam and Munich-Frankfurt at 5 µs per km of great-circle distance (light in
 * fibre), host access links 0.5 ms; three amd64 platforms in Potsdam, one arm64 platform and
 * the user u1 in Munich, and a steady user next to each Potsdam platform (u2-u4). Platforms and users sit at random (seeded) positions (A-D: over Munich,
 * 48.06-48.22 N, 11.45-11.70 E); user {@code ui} owns 10.1.i.0/24 (run r uses 10.1.i.(10+r)),
 * and {@link #geoCsv()} places that network at the user's position for the GeoIP databases.
 */
final class SwitchTree {
    static final Duration LINK = Duration.ofMillis(5);
    static final String ROOT = "10.9.0.1";
    /** Fresh user addresses per run: run r of user i is 10.1.i.(10 + r); run 0 is the user's steady address. */
    static final int MAX_RUNS = 60;
    static final GeoPoint POTSDAM = new GeoPoint(52.3906, 13.0645);
    static final GeoPoint MUNICH = new GeoPoint(48.1374, 11.5755);
    static final GeoPoint FRANKFURT = new GeoPoint(50.1109, 8.6821);
    static final long ACCESS_US_H = 500;
    static final double US_PER_KM = 5;

    /** One experiment's shape, with the thesis' time-to-migrate / time-to-replicate p50, p90 (ms). */
    record Layout(String name, int depth, int platforms, int users, int initial, double[] thesisMigrate,
                  double[] thesisReplicate) {
    }

    static final Layout A = new Layout("A", 3, 7, 7, 4, new double[] {208, 257}, new double[] {117, 181});
    static final Layout B = new Layout("B", 5, 10, 10, 5, new double[] {302, 400}, new double[] {252, 311});
    static final Layout C = new Layout("C", 5, 20, 20, 10, new double[] {281, 346}, new double[] {365, 418});
    static final Layout D = new Layout("D", 5, 30, 30, 15, new double[] {390, 470}, new double[] {424, 524});
    /** Thesis: median 132 ms, p75 195 ms (no p90 given; p75 stands in the second slot). */
    static final Layout H = new Layout("H", 0, 4, 4, 3, new double[] {Double.NaN, Double.NaN}, new double[] {132, 195});

    static Layout layout(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "A" -> A;
            case "B" -> B;
            case "C" -> C;
            case "D" -> D;
            case "H" -> H;
            default -> throw new IllegalArgumentException("unknown topology '" + name + "'; known: A, B, C, D, H");
        };
    }

    record Platform(String name, String address, double lat, double lon, String arch, int switchIndex) {
    }

    record User(String name, int index, double lat, double lon, int switchIndex) {
        String address(int run) {
            return "10.1." + index + "." + (10 + run);
        }

        String cidr(int run) {
            return address(run) + "/16";
        }

        String place() {
            return String.format(Locale.ROOT, "%.4f,%.4f", lat, lon);
        }
    }

    final Layout layout;
    final List<Platform> platforms = new ArrayList<>();
    final List<User> users = new ArrayList<>();
    final Map<String, Integer> hostSwitch = new LinkedHashMap<>();
    /** parent[s] of switch s (0 for the top), and the one-way delay of the link up to it in µs. */
    private final int[] parent;
    private final long[] upUs;
    private final long accessUs;

    private SwitchTree(Layout layout, int[] parent, long[] upUs, long accessUs) {
        this.layout = layout;
        this.parent = parent;
        this.upUs = upUs;
        this.accessUs = accessUs;
    }

    /** The network of {@code layout}, platforms and users placed with {@code seed}. */
    static SwitchTree of(Layout layout, long seed) {
        return layout == H ? heterogeneous(seed) : binary(layout, seed);
    }

    private static SwitchTree binary(Layout layout, long seed) {
        int n = (1 << layout.depth()) - 1;
        int[] parent = new int[n + 1];
        long[] up = new long[n + 1];
        for (int s = 2; s <= n; s++) {
            parent[s] = s / 2;
            up[s] = LINK.toNanos() / 1000;
        }
        SwitchTree t = new SwitchTree(layout, parent, up, LINK.toNanos() / 1000);
        Random random = new Random(seed);
        t.hostSwitch.put("root", 1);
        List<Integer> even = new ArrayList<>();
        for (int s = 1; s <= n; s++) {
            if (depth(s) % 2 == 0) {
                even.add(s);
            }
        }
        boolean a = layout.depth() == 3;
        for (int i = 1; i <= layout.platforms(); i++) {
            int sw = a ? i : even.get(random.nextInt(even.size()));
            GeoPoint p = munich(random);
            t.platforms.add(new Platform("p" + i, "10.9.0." + (10 + i), p.latitude(), p.longitude(), "amd64", sw));
            t.hostSwitch.put("p" + i, sw);
        }
        for (int i = 1; i <= layout.users(); i++) {
            int sw = a ? i : 1 + random.nextInt(n);
            GeoPoint p = munich(random);
            t.users.add(new User("u" + i, i, p.latitude(), p.longitude(), sw));
            t.hostSwitch.put("u" + i, sw);
        }
        return t;
    }

    private static SwitchTree heterogeneous(long seed) {
        // s1 Munich (top), s2 Potsdam, s3 Frankfurt (the root)
        int[] parent = {0, 0, 1, 1};
        long[] up = {0, 0, Math.round(POTSDAM.distanceKm(MUNICH) * US_PER_KM), Math.round(FRANKFURT.distanceKm(MUNICH) * US_PER_KM)};
        SwitchTree t = new SwitchTree(H, parent, up, ACCESS_US_H);
        Random random = new Random(seed);
        t.hostSwitch.put("root", 3);
        for (int i = 1; i <= 3; i++) {
            GeoPoint p = near(POTSDAM, random);
            t.platforms.add(new Platform("p" + i, "10.9.0." + (10 + i), p.latitude(), p.longitude(), "amd64", 2));
            t.hostSwitch.put("p" + i, 2);
        }
        GeoPoint m = munich(random);
        t.platforms.add(new Platform("p4", "10.9.0.14", m.latitude(), m.longitude(), "arm64", 1));
        t.hostSwitch.put("p4", 1);
        GeoPoint u = munich(random);
        t.users.add(new User("u1", 1, u.latitude(), u.longitude(), 1));
        t.hostSwitch.put("u1", 1);
        // a steady user at each Potsdam platform keeps its instance busy (DNS answers it the nearest)
        for (int i = 1; i <= 3; i++) {
            Platform p = t.platforms.get(i - 1);
            t.users.add(new User("u" + (i + 1), i + 1, p.lat(), p.lon(), 2));
            t.hostSwitch.put("u" + (i + 1), 2);
        }
        return t;
    }

    private static GeoPoint munich(Random random) {
        // Munich: 48.06-48.22 N, 11.45-11.70 E
        return new GeoPoint(round(48.06 + random.nextDouble() * 0.16), round(11.45 + random.nextDouble() * 0.25));
    }

    private static GeoPoint near(GeoPoint centre, Random random) {
        return new GeoPoint(round(centre.latitude() - 0.05 + random.nextDouble() * 0.1), round(centre.longitude() - 0.08 + random.nextDouble() * 0.16));
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** Depth of switch s in the heap-numbered binary tree (s1: 0). */
    static int depth(int s) {
        return 31 - Integer.numberOfLeadingZeros(s);
    }

    static String switchOf(int i) {
        return "s" + i;
    }

    int switches() {
        return parent.length - 1;
    }

    /** The harness topology; every user host carries its addresses for {@code runs} runs. */
    Topology topology(int runs) {
        Topology.Builder b = Topology.builder();
        for (int i = 1; i <= switches(); i++) {
            b.switchNode(switchOf(i));
        }
        b.host("root", ROOT + "/24");
        platforms.forEach(p -> b.host(p.name(), p.address() + "/24"));
        for (User u : users) {
            String[] cidrs = new String[runs + 1];
            for (int r = 0; r <= runs; r++) {
                cidrs[r] = u.cidr(r);
            }
            b.host(u.name(), cidrs);
        }
        for (int s = 1; s <= switches(); s++) {
            if (parent[s] != 0) {
                b.link(switchOf(parent[s]), switchOf(s), Topology.Link.delay(Duration.ofNanos(upUs[s] * 1000)));
            }
        }
        for (Map.Entry<String, Integer> h : hostSwitch.entrySet()) {
            b.link(h.getKey(), switchOf(h.getValue()), access());
        }
        return b.build();
    }

    /** The link of every host to its switch. */
    Topology.Link access() {
        return Topology.Link.delay(Duration.ofNanos(accessUs * 1000));
    }

    /** Switch hops between switches a and b. */
    int switchHops(int a, int b) {
        int hops = 0;
        while (a != b) {
            if (level(a) >= level(b)) {
                a = parent[a];
            } else {
                b = parent[b];
            }
            hops++;
        }
        return hops;
    }

    private int level(int s) {
        int d = 0;
        for (int x = s; parent[x] != 0; x = parent[x]) {
            d++;
        }
        return d;
    }

    private double pathUs(int a, int b) {
        long us = 0;
        while (a != b) {
            if (level(a) >= level(b)) {
                us += upUs[a];
                a = parent[a];
            } else {
                us += upUs[b];
                b = parent[b];
            }
        }
        return us;
    }

    /** One-way network delay between two hosts (by name: root, pN, uN), in ms. */
    double delayMs(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        return (pathUs(hostSwitch.get(a), hostSwitch.get(b)) + 2 * accessUs) / 1000.0;
    }

    /** Rows for bin/tendril-geoip-compile: each user's /24 at the user's position. */
    String geoCsv() {
        StringBuilder sb = new StringBuilder("cidr,lat,lon,city,country\n");
        for (User u : users) {
            sb.append(String.format(Locale.ROOT, "10.1.%d.0/24,%.4f,%.4f,user %s,DE%n", u.index(), u.lat(), u.lon(), u.name()));
        }
        return sb.toString();
    }
}
