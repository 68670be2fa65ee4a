package dev.tendril.cli;

import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.keys.SigningKeyFiles;
import dev.tendril.protocol.transport.CurveKeyPair;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The processes the fuzzers aim at, as shipped: a root ({@code bin/tendril-root}, lan preset,
 * CURVE, RRL and cookies at their defaults) and one edge node ({@code bin/tendril-edge}, lan
 * preset, CURVE, process runtime, signed specs only) on loopback with free ports. The edge
 * hosts service {@code web} (busybox httpd, deployed signed through its admin socket), so DNS
 * answers it and the edge's tree socket has a tree to talk about. A third platform,
 * {@value #FUZZER}, is enrolled at the root but runs nothing: its key is the fuzzers' identity
 * on the root control plane and the tree plane; the operator {@code alice} is theirs on the
 * admin plane.
 */
final class FuzzTargets implements AutoCloseable {
    static final String ZONE = "svc.example.edge";
    static final String EDGE = "fz-edge";
    static final String FUZZER = "fz-fuzzer";
    static final String ADMIN_KEY = "fuzz-bench-admin-key-0123456789abcdef";

    final Path dir;
    final Testbed bed;
    final Path keys;
    final String edgeAddress;
    final int dnsPort;
    final int controlPort;
    final CurveKeyPair rootKeys;
    final CurveKeyPair fuzzerKeys;
    final CurveKeyPair operatorKeys;
    final String edgePublicKey;
    private Process root;
    private Process edge;
    private int treePort;
    private int adminPort;
    private String rootHttp;
    private String edgeHttp;

    private FuzzTargets(Path dir) throws IOException {
        this.dir = dir;
        this.bed = new Testbed(dir);
        this.keys = dir.resolve("keys");
        this.edgeAddress = "127.0." + (50 + new java.util.Random().nextInt(150)) + ".2";
        this.dnsPort = Testbed.freePort();
        this.controlPort = Testbed.freePort();
        this.rootKeys = CurveKeyFiles.generate(keys, "root-fz");
        this.operatorKeys = CurveKeyFiles.generate(keys, "alice");
        SigningKeyFiles.generate(keys, "alice");
        this.fuzzerKeys = CurveKeyFiles.generate(keys, FUZZER);
        this.edgePublicKey = CurveKeyFiles.generate(keys, EDGE).publicKey();
    }

    /** Starts the root, enrols the platforms, starts the edge and deploys {@code web} on it. */
    static FuzzTargets start(Path dir) throws IOException {
        Testbed.classpath("root-dns-server");
        Testbed.classpath("edge-node");
        if (!Files.isExecutable(Path.of("/bin/busybox"))) {
            throw new AssertionError("/bin/busybox is missing: apt-get install busybox-static");
        }
        FuzzTargets t = new FuzzTargets(dir);
        try {
            t.startRoot();
            for (String p : List.of(EDGE, FUZZER)) {
                CtlRun c = t.rootCtl("keys", "enrol", "platform", p, t.keys.resolve(p + ".pub").toString());
                if (c.code() != 0) {
                    throw new AssertionError("enrol " + p + ": " + c.out() + c.err());
                }
            }
            t.startEdge();
            t.deployWeb();
            return t;
        } catch (IOException | RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    private void startRoot() throws IOException {
        Path yaml = dir.resolve("root.yaml");
        Files.writeString(yaml, """
                preset: lan
                id: root-fz
                dns:
                  zones: [%s.]
                  nameServers: [ns1.%s.]
                  recordsPerAnswer: 1
                  defaultPosition: {latitude: 50.1109, longitude: 8.6821}
                  bindAddress: 127.0.0.1
                  port: %d
                control: {bindAddress: 127.0.0.1, port: %d}
                store: {path: %s}
                geoip: {databases: [builtin:demo]}
                http: {port: 0}
                security:
                  serverKey: %s
                  operatorKeys: {alice: %s}
                """.formatted(ZONE, ZONE, dnsPort, controlPort, dir.resolve("topology.db"), keys.resolve("root-fz.key"),
                keys.resolve("alice.pub")));
        Path ready = dir.resolve("root.ready");
        root = bed.start("root", dir, Testbed.REPO.resolve("bin/tendril-root").toString(), "--config", yaml.toString(),
                "--ready-file", ready.toString());
        Testbed.until("root ready", Duration.ofSeconds(90), () -> {
            if (!root.isAlive()) {
                throw new AssertionError("the root exited at start: " + tail("root"));
            }
            return Files.exists(ready) ? Optional.of(true) : Optional.empty();
        });
        Matcher m = Pattern.compile("http\\.authority=(\\S+)").matcher(Files.readString(ready));
        if (!m.find()) {
            throw new AssertionError("no http.authority in the ready file: " + Files.readString(ready));
        }
        rootHttp = m.group(1);
    }

    private void startEdge() throws IOException {
        Path home = Files.createDirectories(dir.resolve(EDGE));
        Files.writeString(home.resolve("load.json"), "{\"cpuLoad\": 0.1, \"memory\": {\"total\": \"2Gi\", \"used\": \"1Gi\"}}");
        Files.writeString(home.resolve("edge.yaml"), """
                platform: {id: %s, address: %s, position: {lat: 48.1374, lon: 11.5755}, arch: amd64, cpus: 2, ram: 2Gi, disk: 10Gi}
                zone: %s
                root: {control: ["127.0.0.1:%d"]}
                infrastructure:
                  platforms:
                    - {id: %s, address: %s, position: {lat: 48.1374, lon: 11.5755}, arch: amd64, cpus: 2, ram: 2Gi}
                policies: {preset: lan}
                admin: {key: %s, bind: "%s:0"}
                tree: {bind: "%s:0"}
                http: {bind: "127.0.0.1:0"}
                runtime: {kind: process}
                monitoring: {loadFile: load.json}
                security:
                  key: %s
                  rootKeys: [%s]
                  operatorKeys: {alice: %s}
                  signingKeys: [%s]
                """.formatted(EDGE, edgeAddress, ZONE, controlPort, EDGE, edgeAddress, ADMIN_KEY, edgeAddress, edgeAddress,
                keys.resolve(EDGE + ".key"), keys.resolve("root-fz.pub"), keys.resolve("alice.pub"),
                keys.resolve("alice.sign.pub")));
        edge = bed.start(EDGE, home, Testbed.REPO.resolve("bin/tendril-edge").toString(), "--config", "edge.yaml");
        Matcher m = Testbed.until("edge ready", Duration.ofSeconds(90), () -> {
            if (!edge.isAlive()) {
                throw new AssertionError("the edge exited at start: " + tail(EDGE));
            }
            Matcher r = Pattern.compile("edge node ready in \\d+ ms \\(tree [0-9.]+:(\\d+), admin [0-9.]+:(\\d+)")
                    .matcher(read(EDGE));
            return r.find() ? Optional.of(r) : Optional.empty();
        });
        treePort = Integer.parseInt(m.group(1));
        adminPort = Integer.parseInt(m.group(2));
        edgeHttp = bed.awaitLog(EDGE, Pattern.compile("metrics http://(\\S+)/metrics"), Duration.ofSeconds(10)).group(1);
    }

    private void deployWeb() throws IOException {
        int httpPort = Testbed.freePort();
        Path spec = Files.writeString(dir.resolve("web.yaml"), """
                service: web
                image: local/busybox-httpd
                command: ["/bin/sh", "-c", "exec /bin/busybox httpd -f -p ${TENDRIL_BIND_ADDRESS}:${TENDRIL_PORT_HTTP} -h /tmp"]
                ports: [{name: http, containerPort: %d, hostPort: %d}]
                root: true
                """.formatted(httpPort, httpPort));
        CtlRun c = edgeCtl("deploy", "--operator-key", keys.resolve("alice.sign.key").toString(), spec.toString());
        if (c.code() != 0) {
            throw new AssertionError("deploy web: " + c.out() + c.err());
        }
    }

    CtlRun rootCtl(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--root", "127.0.0.1:" + controlPort, "--curve-key", keys.resolve("alice.key").toString(),
                "--root-key", keys.resolve("root-fz.pub").toString()));
        return CtlRun.of(all);
    }

    CtlRun edgeCtl(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--node", edgeAddress + ":" + adminPort, "--key", ADMIN_KEY,
                "--curve-key", keys.resolve("alice.key").toString(), "--node-key", keys.resolve(EDGE + ".pub").toString()));
        return CtlRun.of(all);
    }

    String rootEndpoint() {
        return "tcp://127.0.0.1:" + controlPort;
    }

    String treeEndpoint() {
        return "tcp://" + edgeAddress + ":" + treePort;
    }

    String adminEndpoint() {
        return "tcp://" + edgeAddress + ":" + adminPort;
    }

    Process root() {
        return root;
    }

    Process edge() {
        return edge;
    }

    /** The Prometheus text of the root's or the edge's /metrics. */
    String metrics(boolean ofRoot) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + (ofRoot ? rootHttp : edgeHttp) + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    String read(String log) {
        try {
            return Files.exists(bed.log(log)) ? Files.readString(bed.log(log)) : "";
        } catch (IOException e) {
            return "";
        }
    }

    String tail(String log) {
        return Testbed.tail(read(log), 3000);
    }

    @Override
    public void close() {
        bed.close();
        // keep the processes' logs beyond the test's temporary folder
        try {
            Path keep = Files.createDirectories(Testbed.REPO.resolve("clients/target/fuzz-logs"));
            for (String log : List.of("root", EDGE)) {
                if (Files.exists(bed.log(log))) {
                    Files.copy(bed.log(log), keep.resolve(log + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            // the logs are a convenience
        }
        var rt = new dev.tendril.edge.adapter.out.process.ProcessContainerRuntime(dir.resolve(EDGE).resolve("state/processes"));
        rt.list().forEach(i -> rt.remove(i.id()));
    }
}
