package dev.tendril.cli;

import dev.tendril.protocol.keys.TlsKeyFiles;
import dev.tendril.edge.testing.links.TestNetwork;
import dev.tendril.edge.testing.links.Topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Three replicated roots (Apache Ratis), real {@code bin/tendril-root} processes, each in its
 * own link-harness namespace on one switch, plus a client host {@code u}. Each root's link has
 * a 1 ms delay from the start so that it can be cut (100 % loss) and healed while running.
 * Shared by {@link RootPartitionIT} and {@link RootFaultRunBench}.
 */
final class ReplicatedRoots implements AutoCloseable {
    static final String ZONE = "svc.example.edge";
    static final String[] IDS = {"r1", "r2", "r3"};
    static final String CLIENT_HOST = "u";
    static final String CLIENT = "10.78.0.9";
    static final Duration LINK = Duration.ofMillis(1);
    static final Duration READY = Duration.ofSeconds(90);

    private final TestNetwork net;
    private final Path dir;
    private final Process[] processes = new Process[IDS.length];

    private ReplicatedRoots(TestNetwork net, Path dir) {
        this.net = net;
        this.dir = dir;
    }

    static String address(int i) {
        return "10.78.0." + (1 + i);
    }

    static String control(int i) {
        return address(i) + ":5390";
    }

    /** The address of the {@code k}-th extra host passed to {@link #start}. */
    static String hostAddress(int k) {
        return "10.78.0." + (20 + k);
    }

    /**
     * Starts the network and the three roots and waits until each is ready.
     *
     * @param controlExtra extra keys of each root's {@code control} map, e.g.
     *                     {@code ", limits: {maxMigrationsPerService: 1000000}"} ("" for none)
     * @param hosts        extra hosts on the switch (e.g. edge nodes), at {@link #hostAddress}
     */
    static ReplicatedRoots start(Path dir, String controlExtra, String... hosts) throws IOException, InterruptedException {
        Testbed.classpath("root-dns-server");
        Topology.Builder b = Topology.builder().switchNode("sw").host(CLIENT_HOST, CLIENT + "/24")
                .link(CLIENT_HOST, "sw", Topology.Link.perfect());
        for (int i = 0; i < IDS.length; i++) {
            b.host(IDS[i], address(i) + "/24").link(IDS[i], "sw", Topology.Link.delay(LINK));
        }
        for (int k = 0; k < hosts.length; k++) {
            b.host(hosts[k], hostAddress(k) + "/24").link(hosts[k], "sw", Topology.Link.perfect());
        }
        ReplicatedRoots roots = new ReplicatedRoots(TestNetwork.start(b.build()), dir);
        try {
            StringBuilder peers = new StringBuilder();
            for (int i = 0; i < IDS.length; i++) {
                peers.append("    - {id: ").append(IDS[i]).append(", raft: ").append(address(i)).append(":5391, control: ")
                        .append(control(i)).append("}\n");
            }
            if (!Files.exists(TlsKeyFiles.secretFile(dir.resolve("keys"), "raft"))) {
                TlsKeyFiles.generate(dir.resolve("keys"), "raft"); // the Raft transport's mutual TLS, as shipped
            }
            for (int i = 0; i < IDS.length; i++) {
                String r = IDS[i];
                Files.writeString(dir.resolve(r + ".yaml"), "preset: local\n"
                        + "id: " + r + "\n"
                        + "dns: {zones: [" + ZONE + ".], nameServers: [ns1." + ZONE + ".], nsid: " + r + ", bindAddress: "
                        + address(i) + ", port: 5353, defaultPosition: {latitude: 50.1, longitude: 8.7}}\n"
                        + "control: {bindAddress: " + address(i) + ", port: 5390" + controlExtra + "}\n"
                        + "security: {insecureClear: true}\n"
                        + "store: {path: " + r + "/topology.db}\n"
                        + "cluster:\n  id: " + r + "\n  storage: " + r + "/raft\n"
                        + "  tls: {key: keys/raft.tls.key, cert: keys/raft.crt}\n  peers:\n" + peers);
                roots.spawn(i);
            }
            for (int i = 0; i < IDS.length; i++) {
                roots.awaitReady(i, READY);
            }
            return roots;
        } catch (IOException | RuntimeException | Error e) {
            roots.close();
            throw e;
        }
    }

    TestNetwork net() {
        return net;
    }

    /** Starts root {@code i} (again), on the same configuration and storage. */
    void spawn(int i) throws IOException {
        String r = IDS[i];
        Files.deleteIfExists(dir.resolve(r + ".ready"));
        processes[i] = net.spawn(dir.resolve(r + ".log"), r, Testbed.REPO.resolve("bin/tendril-root").toString(),
                "--config", dir.resolve(r + ".yaml").toString(), "--ready-file", dir.resolve(r + ".ready").toString());
    }

    void awaitReady(int i, Duration limit) {
        Path ready = dir.resolve(IDS[i] + ".ready");
        Testbed.until(IDS[i] + " ready", limit, () -> Files.exists(ready) ? Optional.of(true) : Optional.empty());
    }

    /**
     * SIGKILL to root {@code i} ({@code ip netns exec} and the launcher script both exec, so the
     * process is the root's JVM itself); returns once it is gone.
     */
    void kill9(int i) throws InterruptedException {
        Process p = processes[i];
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(IDS[i] + " did not die on SIGKILL");
        }
    }

    /** Root {@code i}'s link drops every frame from now on. */
    void cut(int i) throws IOException, InterruptedException {
        net.setLink(IDS[i], "sw", Topology.Link.delay(LINK).withLoss(1.0));
    }

    /** Root {@code i}'s link carries frames again. */
    void heal(int i) throws IOException, InterruptedException {
        net.setLink(IDS[i], "sw", Topology.Link.delay(LINK));
    }

    Path log(int i) {
        return dir.resolve(IDS[i] + ".log");
    }

    @Override
    public void close() throws InterruptedException {
        net.close();
    }
}
