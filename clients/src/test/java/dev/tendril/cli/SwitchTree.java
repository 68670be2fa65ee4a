package dev.tendril.cli;

import dev.tendril.edge.testing.links.Topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Topology A of the thesis for the link harness: a binary tree of 7 switches (s1 on top,
 * s2-s3, s4-s7), platform {@code pi} and user {@code ui} on switch {@code si}, the root on
 * s1, every link (switch-switch and host-switch) 5 ms one way. Two hosts are therefore
 * {@code (switch hops + 2) x 5 ms} apart. Platforms sit at random (seeded) over Munich;
 * users at one of the two Munich-area places of the demo GeoIP database (Munich centre
 * 10.1.0.0/16, Garching 192.168.1.0/24), chosen at random (seeded).
 */
final class SwitchTree {
    static final Duration LINK = Duration.ofMillis(5);
    static final String ROOT = "10.9.0.1";
    static final int SWITCHES = 7;
    /** Fresh user addresses per run: run r of user i is .(i * 30 + r); run 0 is the user's steady address. */
    static final int MAX_RUNS = 29;

    record Platform(String name, String address, double lat, double lon, int switchIndex) {
    }

    record User(String name, boolean garching, int switchIndex) {
        String address(int run) {
            int i = switchIndex;
            return garching ? "192.168.1." + (i * 30 + run) : "10.1." + i + "." + (10 + run);
        }

        String cidr(int run) {
            return address(run) + (garching ? "/24" : "/16");
        }

        String place() {
            return garching ? "Garching" : "Munich";
        }
    }

    final List<Platform> platforms = new ArrayList<>();
    final List<User> users = new ArrayList<>();
    final Map<String, Integer> hostSwitch = new LinkedHashMap<>();

    SwitchTree(long seed) {
        Random random = new Random(seed);
        hostSwitch.put("root", 1);
        for (int i = 1; i <= SWITCHES; i++) {
            // Munich: 48.06-48.22 N, 11.45-11.70 E
            double lat = 48.06 + random.nextDouble() * 0.16;
            double lon = 11.45 + random.nextDouble() * 0.25;
            platforms.add(new Platform("p" + i, "10.9.0." + (10 + i), round(lat), round(lon), i));
            hostSwitch.put("p" + i, i);
        }
        for (int i = 1; i <= SWITCHES; i++) {
            users.add(new User("u" + i, random.nextBoolean(), i));
            hostSwitch.put("u" + i, i);
        }
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    static String switchOf(int i) {
        return "s" + i;
    }

    Topology topology(int runs) {
        Topology.Builder b = Topology.builder();
        for (int i = 1; i <= SWITCHES; i++) {
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
        Topology.Link link = Topology.Link.delay(LINK);
        for (int i = 2; i <= SWITCHES; i++) {
            b.link(switchOf(i / 2), switchOf(i), link);
        }
        b.link("root", switchOf(1), link);
        platforms.forEach(p -> b.link(p.name(), switchOf(p.switchIndex()), link));
        users.forEach(u -> b.link(u.name(), switchOf(u.switchIndex()), link));
        return b.build();
    }

    /** Switch hops between switches a and b of the heap-numbered binary tree. */
    static int switchHops(int a, int b) {
        int hops = 0;
        while (a != b) {
            if (a > b) {
                a /= 2;
            } else {
                b /= 2;
            }
            hops++;
        }
        return hops;
    }

    /** One-way network delay between two hosts (by name: root, pN, uN), in ms. */
    double delayMs(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        return (switchHops(hostSwitch.get(a), hostSwitch.get(b)) + 2) * LINK.toMillis();
    }
}
