package dev.tendril.root.testing;

import dev.tendril.protocol.keys.TlsKeyFiles;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.LeaderFollower;
import dev.tendril.protocol.transport.PipelinedClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A replicated group of real root processes on loopback for integration tests: one config
 * file per root ({@code <dir>/rN.yaml}) with a {@code cluster:} section naming every peer,
 * Raft and control ports picked free, DNS on port 0.
 */
public final class RootCluster implements AutoCloseable {
    /** One member: its id, config file and ports; {@link #handle} is the running process (null while down). */
    public static final class Member {
        public final String id;
        public final Path config;
        public final int raftPort;
        public final int controlPort;
        public final int dnsPort;
        RootProcessHandle handle;

        Member(String id, Path config, int raftPort, int controlPort, int dnsPort) {
            this.id = id;
            this.config = config;
            this.raftPort = raftPort;
            this.controlPort = controlPort;
            this.dnsPort = dnsPort;
        }

        public String controlEndpoint() {
            return "tcp://127.0.0.1:" + controlPort;
        }

        public RootProcessHandle handle() {
            return handle;
        }
    }

    private final Path dir;
    private final List<Member> members;

    private RootCluster(Path dir, List<Member> members) {
        this.dir = dir;
        this.members = members;
    }

    /** Writes the configs of {@code n} roots (r1..rN); starts none. {@code extraClusterKeys}: more lines under cluster:. */
    public static RootCluster configure(Path dir, int n, String... extraClusterKeys) throws IOException {
        return configure(dir, n, n, extraClusterKeys);
    }

    /**
     * As {@link #configure(Path, int, String...)}, but only r1..r{@code initial} form the group at
     * first (their peers are each other); the others list every root, to be added at run time.
     */
    public static RootCluster configure(Path dir, int n, int initial, String... extraClusterKeys) throws IOException {
        return write(dir, n, initial, "handlerThreads: 16", extraClusterKeys);
    }

    /**
     * Configs for benchmarks: the product's control settings (its default handler threads), with
     * the migration quotas raised so that a long write stream is not refused once 10,000 records
     * are stored (the quota is a safety limit, not the figure measured).
     */
    public static RootCluster configureForBench(Path dir, int n, String... extraClusterKeys) throws IOException {
        return write(dir, n, n, "limits: {maxMigrationsPerService: 10000000, maxMigrationsTotal: 10000000}",
                extraClusterKeys);
    }

    private static RootCluster write(Path dir, int n, int initial, String controlKeys, String... extraClusterKeys)
            throws IOException {
        List<Member> members = new ArrayList<>();
        StringBuilder peers = new StringBuilder();
        StringBuilder initialPeers = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            int raft = ListenPorts.free();
            int control = ListenPorts.free();
            int dns = ListenPorts.free(); // never port 0: see ListenPorts for what dig does with an ephemeral one
            members.add(new Member("r" + i, dir.resolve("r" + i + ".yaml"), raft, control, dns));
            String line = "    - {id: r" + i + ", raft: 127.0.0.1:" + raft + ", control: 127.0.0.1:" + control + "}\n";
            peers.append(line);
            if (i <= initial) {
                initialPeers.append(line);
            }
        }
        StringBuilder nameServers = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            nameServers.append(i > 1 ? ", " : "").append("ns").append(i).append(".svc.example.edge.");
        }
        if (!Files.exists(TlsKeyFiles.secretFile(dir.resolve("keys"), "raft"))) {
            Files.createDirectories(dir.resolve("keys"));
            TlsKeyFiles.generate(dir.resolve("keys"), "raft"); // the Raft transport's mutual TLS, as shipped
        }
        for (Member m : members) {
            boolean first = Integer.parseInt(m.id.substring(1)) <= initial;
            String yaml = "preset: local\n"
                    + "id: " + m.id + "\n"
                    + "dns:\n"
                    + "  zones: [svc.example.edge.]\n"
                    + "  nameServers: [" + nameServers + "]\n"
                    + "  defaultPosition: {latitude: 50.1109, longitude: 8.6821}\n"
                    + "  nsid: " + m.id + "\n"
                    + "  bindAddress: 127.0.0.1\n"
                    + "  port: " + m.dnsPort + "\n"
                    + "  ioThreads: 1\n"
                    + "control: {bindAddress: 127.0.0.1, port: " + m.controlPort + ", " + controlKeys + "}\n"
                    + "store: {path: " + m.id + "/topology.db}\n"
                    + "cluster:\n"
                    + "  id: " + m.id + "\n"
                    + "  storage: " + m.id + "/raft\n"
                    // one pair for the group, as in docs/security.md; a benchmark may ask for the transport in clear
                    // (-Dtendril.bench.raftInClear=true) to tell TLS's cost from gRPC's
                    + (Boolean.getBoolean("tendril.bench.raftInClear") ? "" : "  tls: {key: keys/raft.tls.key, cert: keys/raft.crt}\n")
                    + String.join("", List.of(extraClusterKeys).stream().map(k -> "  " + k + "\n").toList())
                    + "  peers:\n" + (first ? initialPeers : peers);
            Files.writeString(m.config, yaml);
        }
        return new RootCluster(dir, members);
    }

    public List<Member> members() {
        return members;
    }

    public Member member(String id) {
        return members.stream().filter(m -> m.id.equals(id)).findFirst().orElseThrow();
    }

    /** The member whose control endpoint this is. */
    public Member byControl(String endpoint) {
        return members.stream().filter(m -> m.controlEndpoint().equals(endpoint)).findFirst()
                .orElseThrow(() -> new AssertionError("no member has control endpoint " + endpoint));
    }

    /**
     * A leader-following client over every member's control endpoint, each connected (300 ms x 2
     * attempts per root, so a dead root is passed over quickly), waiting up to {@code leaderWait}
     * for a leader.
     */
    public LeaderFollower leaderFollower(PipelinedClient client, Duration leaderWait) {
        return leaderFollower(client, members, leaderWait);
    }

    /** As {@link #leaderFollower(PipelinedClient, Duration)} over these members only. */
    public static LeaderFollower leaderFollower(PipelinedClient client, List<Member> over, Duration leaderWait) {
        return leaderFollower(client, over, leaderWait, Duration.ofMillis(300));
    }

    /** As above with {@code attempt} per try at a root (2 tries) instead of 300 ms. */
    public static LeaderFollower leaderFollower(PipelinedClient client, List<Member> over, Duration leaderWait,
                                                Duration attempt) {
        List<ClientOptions> roots = over.stream()
                .map(m -> ClientOptions.of(m.controlEndpoint()).withRetries(attempt, 2)).toList();
        return new LeaderFollower(client, roots, leaderWait).connectAll();
    }

    /** Starts these members only (the others later, or never) and a client that follows their leader. */
    public LeaderFollower startOnly(List<Member> these, PipelinedClient client, Duration leaderWait) throws IOException {
        for (Member m : these) {
            start(m);
        }
        return leaderFollower(client, these, leaderWait);
    }

    /** Starts (or restarts) a member's process and waits for its ready file. */
    public RootProcessHandle start(Member m) throws IOException {
        m.handle = RootProcessHandle.start(dir, m.config.toString(), List.of());
        return m.handle;
    }

    public void startAll() throws IOException {
        for (Member m : members) {
            start(m);
        }
    }

    public void kill9(Member m) throws InterruptedException {
        m.handle.kill9();
        m.handle = null;
    }

    @Override
    public void close() throws InterruptedException {
        for (Member m : members) {
            if (m.handle != null) {
                m.handle.close();
            }
        }
    }
}
