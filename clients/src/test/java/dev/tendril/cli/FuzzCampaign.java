package dev.tendril.cli;

import dev.tendril.protocol.transport.CurveKeyPair;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fuzz campaign against {@link FuzzTargets}: mutated DNS over UDP and TCP, mutated frames
 * at the root control plane, the edge's tree plane and its admin plane (enrolled CURVE keys),
 * frames from clients with no key and with an unknown key, each with valid probes
 * interleaved; RSS of both processes sampled throughout; the refusal and drop counters of
 * both /metrics before and after. {@link Result#lines()} is the report.
 */
final class FuzzCampaign {
    record Counts(long udpPackets, int udpProbeEvery, long tcpMessages, int tcpProbeEvery, long framesPerPlane,
                  int frameProbeEvery, int strangerFrames) {
    }

    record Result(DnsFuzzer.UdpFigures udp, DnsFuzzer.TcpFigures tcp, List<FrameFuzzer.Figures> planes,
                  long strangerReplies, RssWatch.Rss rootRss, RssWatch.Rss edgeRss, boolean rootAlive, boolean edgeAlive,
                  Map<String, Double> rootCounters, Map<String, Double> edgeCounters, List<String> lines) {
        /** How much the counters whose name and labels contain every fragment moved (root and edge together). */
        double moved(String... fragments) {
            double sum = 0;
            for (Map<String, Double> m : List.of(rootCounters, edgeCounters)) {
                for (Map.Entry<String, Double> e : m.entrySet()) {
                    if (java.util.Arrays.stream(fragments).allMatch(e.getKey()::contains)) {
                        sum += e.getValue();
                    }
                }
            }
            return sum;
        }

        long probesMissingOrWrong() {
            long n = udp.probesMissing() + udp.probesWrong() + tcp.probesMissing() + tcp.probesWrong();
            for (FrameFuzzer.Figures p : planes) {
                n += p.probesMissing() + p.probesWrong();
            }
            return n;
        }
    }

    private static final Pattern COUNTER = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?) ([0-9.eE+-]+)$", Pattern.MULTILINE);
    private FuzzCampaign() {
    }

    static Result run(FuzzTargets t, Counts c, long seed) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("seed " + seed + "; load average at the start: " + loadAverage());
        Map<String, Double> rootBefore = counters(t.metrics(true));
        Map<String, Double> edgeBefore = counters(t.metrics(false));
        long rootLog0 = Files.size(t.bed.log("root"));
        long edgeLog0 = Files.size(t.bed.log(FuzzTargets.EDGE));
        Map<String, Process> processes = new LinkedHashMap<>();
        processes.put("root", t.root());
        processes.put("edge", t.edge());
        DnsFuzzer.UdpFigures udp;
        DnsFuzzer.TcpFigures tcp;
        List<FrameFuzzer.Figures> planes = new ArrayList<>();
        long strangers = 0;
        RssWatch.Rss rootRss;
        RssWatch.Rss edgeRss;
        try (RssWatch rss = new RssWatch(processes)) {
            DnsFuzzer dns = new DnsFuzzer(new InetSocketAddress("127.0.0.1", t.dnsPort), FuzzTargets.ZONE, t.edgeAddress, seed);
            udp = dns.udp(c.udpPackets(), c.udpProbeEvery());
            lines.add(udp.line());
            lines.add("  mutations applied by kind (bit flips, truncation, counts, label lengths, pointers, EDNS garbage, random, "
                    + "header, splice, questions, oversized, type/class): " + java.util.Arrays.toString(udp.mutations()));
            lines.add("  load average: " + loadAverage());
            tcp = dns.tcp(c.tcpMessages(), c.tcpProbeEvery(), 32);
            lines.add(tcp.line());
            lines.add("  load average: " + loadAverage());
            FuzzPlanes p = new FuzzPlanes(t, seed);
            for (FrameFuzzer.Plane plane : List.of(p.root(), p.tree(), p.admin())) {
                FrameFuzzer.Figures f = FrameFuzzer.run(plane, c.framesPerPlane(), c.frameProbeEvery(), seed + plane.name().hashCode());
                planes.add(f);
                lines.add(f.line());
                lines.add("  load average: " + loadAverage());
            }
            List<byte[]> junk = new ArrayList<>();
            FrameMutator m = new FrameMutator(FuzzPlanes.golden("evil"), "evil", FuzzPlanes.MAX_FRAME, seed + 7);
            for (int i = 0; i < c.strangerFrames(); i++) {
                junk.add(m.next());
            }
            CurveKeyPair stranger = CurveKeyPair.generate();
            List<FrameFuzzer.Stranger> who = new ArrayList<>();
            for (String endpoint : List.of(t.rootEndpoint(), t.treeEndpoint(), t.adminEndpoint())) {
                String serverKey = endpoint.equals(t.rootEndpoint()) ? t.rootKeys.publicKey() : t.edgePublicKey;
                who.add(new FrameFuzzer.Stranger(endpoint, Optional.empty(), serverKey));
                who.add(new FrameFuzzer.Stranger(endpoint, Optional.of(stranger), serverKey));
            }
            strangers = FrameFuzzer.strangers(who, junk);
            lines.add(String.format(Locale.ROOT, "strangers: %,d frames per plane from a client with no key and %,d from an unknown "
                    + "key, at each of the 3 planes: %d replies", junk.size(), junk.size(), strangers));
            rootRss = rss.of("root");
            edgeRss = rss.of("edge");
        }
        lines.add("root: " + rootRss.line() + ", log grew by " + (Files.size(t.bed.log("root")) - rootLog0) / 1024 + " KiB");
        lines.add("edge: " + edgeRss.line() + ", log grew by " + (Files.size(t.bed.log(FuzzTargets.EDGE)) - edgeLog0) / 1024 + " KiB");
        Map<String, Double> rootMoved = delta(rootBefore, counters(t.metrics(true)));
        Map<String, Double> edgeMoved = delta(edgeBefore, counters(t.metrics(false)));
        lines.add("root counters that moved: " + rootMoved);
        lines.add("edge counters that moved: " + edgeMoved);
        lines.add("load average at the end: " + loadAverage() + "; " + Runtime.getRuntime().availableProcessors() + " CPUs");
        return new Result(udp, tcp, planes, strangers, rootRss, edgeRss, t.root().isAlive(), t.edge().isAlive(), rootMoved,
                edgeMoved, lines);
    }

    static Map<String, Double> counters(String prometheus) {
        Map<String, Double> out = new TreeMap<>();
        Matcher m = COUNTER.matcher(prometheus);
        while (m.find()) {
            if (m.group(1).contains("_total")) { // counters only, not histograms or gauges
                try {
                    out.put(m.group(1), Double.parseDouble(m.group(2)));
                } catch (NumberFormatException e) {
                    // not a number: skip
                }
            }
        }
        return out;
    }

    /** The counters that moved, by how much. */
    static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> out = new TreeMap<>();
        after.forEach((k, v) -> {
            double d = v - before.getOrDefault(k, 0.0);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
