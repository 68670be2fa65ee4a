package dev.tendril.cli;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.LeaderFollower;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestResult;
import dev.tendril.root.bootstrap.DemoRegistration;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The client side of {@link RootFaultRunBench}, run inside the client host's namespace (the roots'
 * addresses are only reachable there) and driven line by line over stdin; every answer is one
 * stdout line starting with {@code AGENT }. Commands:
 * <ul>
 *   <li>{@code SETUP}: creates the service tree and registers the demo instances (through the leader);</li>
 *   <li>{@code LEADER}: the leader's id as the roots see it, or {@code -};</li>
 *   <li>{@code WRITE millis max}: RecordMigration of fresh /32 clients through a leader-following
 *       client for {@code millis} (at most {@code max} records), remembering those acknowledged;</li>
 *   <li>{@code CHECK millis}: polls every root until each lists every acknowledged record and all
 *       answer the 201 probe clients alike, or {@code millis} passed; reports what is missing and
 *       which answers differ.</li>
 * </ul>
 * Usage: {@code FaultAgent control-endpoint...} (host:port each).
 */
final class FaultAgent {
    static final String SERVICE = DemoRegistration.SERVICE;
    static final long LIFETIME_MILLIS = Duration.ofHours(1).toMillis();
    static final int PROBES = 201;

    private final PipelinedClient client = new PipelinedClient("fault-agent");
    private final List<ClientOptions> roots;
    private final LeaderFollower group;
    private final EnvelopeFactory envelopes = new EnvelopeFactory("fault-agent", Clock.systemUTC(), new SplittableRandom(11));
    private final Set<String> acked = new LinkedHashSet<>();
    private int sequence;

    private FaultAgent(List<String> controls) {
        this.roots = controls.stream().map(c -> ClientOptions.of("tcp://" + c).withRetries(Duration.ofMillis(700), 2)).toList();
        this.group = new LeaderFollower(client, roots, Duration.ofSeconds(10)).connectAll();
    }

    public static void main(String[] args) throws Exception {
        FaultAgent agent = new FaultAgent(List.of(args));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            String answer;
            try {
                answer = switch (w[0]) {
                    case "SETUP" -> agent.setup();
                    case "LEADER" -> agent.leader();
                    case "WRITE" -> agent.write(Long.parseLong(w[1]), Integer.parseInt(w[2]));
                    case "CHECK" -> agent.check(Long.parseLong(w[1]));
                    case "QUIT" -> null;
                    default -> "error unknown command " + w[0];
                };
            } catch (RuntimeException e) {
                answer = "error " + e;
            }
            if (answer == null) {
                break;
            }
            System.out.println("AGENT " + answer);
            System.out.flush();
        }
        agent.client.close();
        System.exit(0);
    }

    private String setup() {
        List<DemoRegistration.City> cities = DemoRegistration.CITIES;
        RootMessage top = call(new RootMessage.CreateTree(SERVICE, cities.get(0).info()));
        if (!(top instanceof RootMessage.Registered)) {
            return "error CreateTree: " + top;
        }
        for (DemoRegistration.City c : cities.subList(1, cities.size())) {
            RootMessage r = call(new RootMessage.RegisterNode(SERVICE, c.info()));
            if (!(r instanceof RootMessage.Registered)) {
                return "error RegisterNode " + c.nodeId() + ": " + r;
            }
        }
        return "ok " + cities.size() + " instances";
    }

    private RootMessage call(RootMessage request) {
        RequestResult r = group.request(() -> envelopes.create(SERVICE, request));
        return r instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage m ? m : null;
    }

    private Optional<RootMessage> ask(ClientOptions root, RootMessage request) {
        RequestResult r = client.request(root, envelopes.create(SERVICE, request));
        return r instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage m
                ? Optional.of(m) : Optional.empty();
    }

    private String leader() {
        for (ClientOptions root : roots) {
            Optional<RootMessage> s = ask(root, new RootMessage.RootsQuery());
            if (s.isPresent() && s.get() instanceof RootMessage.RootsStatus status && !status.leaderId().isEmpty()) {
                return "leader " + status.leaderId();
            }
        }
        return "leader -";
    }

    private String write(long millis, int max) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        int ok = 0;
        Map<String, Integer> failed = new TreeMap<>();
        List<DemoRegistration.City> cities = DemoRegistration.CITIES;
        while (System.nanoTime() - deadline < 0 && ok + failed.values().stream().mapToInt(Integer::intValue).sum() < max) {
            int n = sequence++;
            String subnet = "10." + (1 + n / 65536) + "." + (n / 256 % 256) + "." + (n % 256) + "/32";
            String target = cities.get(n % cities.size()).nodeId();
            RootMessage r = call(new RootMessage.RecordMigration(SERVICE, List.of(subnet), target, LIFETIME_MILLIS));
            if (r instanceof RootMessage.Ack) {
                acked.add(subnet);
                ok++;
            } else {
                String why = r == null ? "TIMEOUT" : r instanceof RootMessage.ErrorReply e ? e.code() : r.getClass().getSimpleName();
                failed.merge(why, 1, Integer::sum);
            }
        }
        return "wrote acked=" + ok + " failed=" + failed.values().stream().mapToInt(Integer::intValue).sum() + " " + failed
                .toString().replace(' ', '_') + " total_acked=" + acked.size();
    }

    /** The probe clients: half from the acknowledged records (migration answers), the rest from the demo GeoIP database's
     * cities (198.18.N.0/24, 198.19.0.0/16, 10.2-6.0.0/16: nearest instance) and unlocated addresses. */
    private List<String> probes() {
        List<String> out = new ArrayList<>();
        List<String> written = new ArrayList<>(acked);
        int fromWritten = Math.min(written.size(), PROBES / 2);
        for (int i = 0; i < fromWritten; i++) {
            out.add(written.get((int) ((long) i * written.size() / fromWritten)).replace("/32", ""));
        }
        for (int i = 0; out.size() < PROBES; i++) { // the demo GeoIP database's cities, and unlocated addresses
            out.add(switch (i % 4) {
                case 0 -> String.format(Locale.ROOT, "198.18.%d.%d", i / 4 % 12, 1 + i);
                case 1 -> String.format(Locale.ROOT, "198.19.%d.5", i * 37 % 256);
                case 2 -> String.format(Locale.ROOT, "10.%d.%d.7", 2 + i % 5, 200 + i % 50);
                default -> String.format(Locale.ROOT, "%d.%d.%d.1", 1 + (i * 7) % 223, (i * 97) % 256, (i * 13) % 256);
            });
        }
        return out;
    }

    private static String normalize(String client) {
        return client.endsWith("/32") ? client : client + "/32";
    }

    private String check(long millis) {
        long t0 = System.nanoTime();
        long deadline = t0 + millis * 1_000_000L;
        List<String> probes = probes();
        while (true) {
            int[] missing = new int[roots.size()];
            List<String> missingSample = new ArrayList<>();
            int divergent = 0;
            String divergentSample = "";
            boolean silent = false;
            Map<String, Integer> bases = new TreeMap<>();
            for (int i = 0; i < roots.size(); i++) {
                Optional<RootMessage> m = ask(roots.get(i), new RootMessage.MigrationsQuery(SERVICE));
                if (m.isEmpty() || !(m.get() instanceof RootMessage.MigrationListing listing)) {
                    missing[i] = acked.size();
                    silent = true;
                    continue;
                }
                Set<String> listed = new HashSet<>();
                listing.migrations().forEach(v -> listed.add(normalize(v.client())));
                for (String a : acked) {
                    if (!listed.contains(a)) {
                        missing[i]++;
                        if (missingSample.size() < 5) {
                            missingSample.add("r" + (i + 1) + ":" + a);
                        }
                    }
                }
            }
            for (String probe : probes) {
                Set<String> answers = new LinkedHashSet<>();
                List<String> each = new ArrayList<>();
                for (ClientOptions root : roots) {
                    Optional<RootMessage> a = ask(root, new RootMessage.ResolveQuery(SERVICE, probe));
                    String key = a.isPresent() && a.get() instanceof RootMessage.ResolveAnswer ra
                            ? ra.basis() + ":" + ra.instances().stream().map(NodeInfo::nodeId).toList() : "none:" + a.orElse(null);
                    answers.add(key);
                    each.add(key);
                    if (each.size() == 1) {
                        bases.merge(key.substring(0, key.indexOf(':')), 1, Integer::sum);
                    }
                }
                if (answers.size() > 1) {
                    divergent++;
                    if (divergentSample.isEmpty()) {
                        divergentSample = probe + "=" + each;
                    }
                }
            }
            int lost = 0;
            for (int x : missing) {
                lost = Math.max(lost, x);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if ((lost == 0 && divergent == 0 && !silent) || System.nanoTime() - deadline > 0) {
                return String.format(Locale.ROOT, "check converged=%b ms=%d acked=%d missing=%s divergent=%d silent=%b bases=%s sample=%s %s",
                        lost == 0 && divergent == 0 && !silent, ms, acked.size(), java.util.Arrays.toString(missing).replace(" ", ""),
                        divergent, silent, bases.toString().replace(" ", ""), String.join(",", missingSample), divergentSample.replace(' ', '_'));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // between polls of the roots
        }
    }
}
