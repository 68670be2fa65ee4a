package dev.tendril.root.bootstrap;

import dev.tendril.protocol.spec.Validated;
import dev.tendril.root.adapter.in.dns.DnsConfig;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository.Sync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.tendril.protocol.keys.TlsKeyFiles;

import static org.junit.jupiter.api.Assertions.*;

class RootConfigReaderTest {
    @TempDir
    Path dir;

    private RootConfig valid(String yaml, String... sets) throws Exception {
        Path f = dir.resolve("root.yaml");
        Files.writeString(f, yaml);
        Validated<RootConfig> v = RootConfigReader.read(f.toString(), List.of(sets), dir);
        if (v instanceof Validated.Invalid<RootConfig> i) {
            fail("expected valid, got " + i.problems());
        }
        return ((Validated.Valid<RootConfig>) v).value();
    }

    private List<String> problems(String yaml, String... sets) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, yaml);
        Validated<RootConfig> v = RootConfigReader.read(f.toString(), List.of(sets), dir);
        assertInstanceOf(Validated.Invalid.class, v, "expected problems for " + yaml + ": " + v);
        return ((Validated.Invalid<RootConfig>) v).problems();
    }

    private static void assertHas(List<String> problems, String... fragments) {
        assertTrue(problems.stream().anyMatch(p -> List.of(fragments).stream().allMatch(p::contains)),
                "no problem with " + List.of(fragments) + " in " + problems);
    }

    /** A security section with freshly made keys in the test folder. */
    private String keys() throws Exception {
        if (!Files.exists(dir.resolve("keys/root-1.key"))) {
            dev.tendril.protocol.keys.CurveKeyFiles.generate(dir.resolve("keys"), "root-1");
            dev.tendril.protocol.keys.CurveKeyFiles.generate(dir.resolve("keys"), "alice");
        }
        return "security:\n  serverKey: keys/root-1.key\n  operatorKeys: {alice: keys/alice.pub}\n";
    }

    @Test
    void lanAndWanRefuseToStartWithoutKeysAndSayHowToMakeThem() throws Exception {
        for (String preset : List.of("lan", "wan")) {
            assertHas(problems("preset: " + preset + "\n"), "security.serverKey", "tendrilctl keys gen");
        }
        assertHas(problems("control: {bindAddress: 0.0.0.0}\n"), "security.serverKey", "refuses to run without keys");
        RootConfig local = valid("{}");
        assertTrue(local.security().serverKeys().isEmpty());
        valid("control: {bindAddress: 10.9.0.1}\nsecurity: {insecureClear: true}\n"); // an isolated testbed, on purpose
        assertHas(problems("preset: lan\nsecurity: {insecureClear: true}\n"), "security.insecureClear", "only local");
    }

    @Test
    void keysAreReadAndAWorldReadableSecretKeyIsRefused() throws Exception {
        RootConfig c = valid("preset: lan\n" + keys());
        assertEquals(dev.tendril.protocol.keys.CurveKeyFiles.readPair(dir.resolve("keys/root-1.key")), c.security().serverKeys().orElseThrow());
        assertEquals(java.util.Set.of("alice"), c.security().operatorKeys().keySet());
        Files.setPosixFilePermissions(dir.resolve("keys/root-1.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertHas(problems("preset: lan\n" + keys()), "security.serverKey", "chmod 600");
        assertHas(problems("security: {operatorKeys: {alice: nonsense}}\n"), "security.operatorKeys.alice");
    }

    @Test
    void theBuiltInDemoConfigIsValid() {
        RootConfig c = RootConfigReader.read(RootConfigReader.BUILTIN_DEMO, List.of(), dir).orThrow();
        assertEquals("root-demo", c.id());
        assertEquals(List.of("svc.example.edge."), c.dns().zones());
        assertEquals(5353, c.dns().port());
        assertEquals(5390, c.control().port());
        assertEquals(dir.resolve(".run/root/topology.db"), c.store().path());
        assertEquals(Sync.FULL, c.store().sync());
        assertEquals(4, c.fanOut());
        assertEquals(List.of("builtin:demo"), c.geoipDatabases());
        assertEquals("root-demo", c.dns().nsid());
    }

    @Test
    void anEmptyFileGetsTheLocalPresetAndRelativePathsStartAtTheFile() throws Exception {
        RootConfig c = valid("{}");
        assertEquals("127.0.0.1", c.dns().bindAddress());
        assertEquals(10, c.dns().answerTtlSeconds());
        assertEquals(dir.resolve("topology.db"), c.store().path());
        assertEquals("root-1", c.dns().nsid(), "the NSID defaults to the root's id");
        assertEquals(DnsConfig.UdpIo.AUTO, c.dns().udpIo());
        assertEquals(Duration.ofSeconds(1), c.control().purgeEvery());
    }

    @Test
    void presetsSetDefaultsThatKeysOverride() throws Exception {
        RootConfig wan = valid("preset: wan\n" + keys());
        assertEquals("0.0.0.0", wan.dns().bindAddress());
        assertEquals(53, wan.dns().port());
        assertEquals(30, wan.dns().answerTtlSeconds());
        assertEquals(8, wan.fanOut());
        assertEquals(1, wan.dns().udpLanes(), "UDP lanes are opted into");
        assertEquals(List.of(), wan.dns().xdpInterfaces(), "so is XDP");
        RootConfig mine = valid("preset: wan\ndns:\n  answerTtlSeconds: 5\n  udpLanes: 2\n  xdpInterfaces: [eth0]\n"
                + "tree:\n  fanOut: 2\n" + keys());
        assertEquals(5, mine.dns().answerTtlSeconds());
        assertEquals(2, mine.fanOut());
        assertEquals(2, mine.dns().udpLanes());
        assertEquals(List.of("eth0"), mine.dns().xdpInterfaces());
    }

    @Test
    void everyDnsKeyIsRead() throws Exception {
        RootConfig c = valid("""
                id: root-eu
                dns:
                  zones: [svc.example.edge, Other.Example.]
                  soa: {admin: ops.example.net., serial: 7, minimum: 30}
                  soaTtlSeconds: 600
                  answerTtlSeconds: 20
                  recordsPerAnswer: 3
                  defaultPosition: {latitude: -33.87, longitude: 151.21}
                  whenNoneLive: last_known
                  nsid: eu-1
                  bindAddress: "::1"
                  port: 0
                  maxUdpPayload: 4096
                  tcpIdleTimeoutSeconds: 5
                  ioThreads: 2
                  udpIo: netty
                control: {bindAddress: "::1", port: 0, handlerThreads: 8, maxBatch: 100, purgeEvery: 250ms}
                store: {path: /var/tmp/x.db, sync: normal}
                """);
        DnsConfig d = c.dns();
        assertEquals(List.of("svc.example.edge.", "other.example."), d.zones());
        assertEquals(List.of("ns1.svc.example.edge."), d.nameServers(), "NS defaults to ns1.<first zone>");
        assertEquals("ops.example.net.", d.soa().admin());
        assertEquals(7, d.soa().serial());
        assertEquals(30, d.soa().minimum());
        assertEquals(3, d.recordsPerAnswer());
        assertEquals(-33.87, d.defaultPosition().latitude());
        assertEquals(DnsConfig.WhenNoneLive.LAST_KNOWN, d.whenNoneLive());
        assertEquals("eu-1", d.nsid());
        assertEquals("::1", d.bindAddress());
        assertEquals(4096, d.maxUdpPayload());
        assertEquals(DnsConfig.UdpIo.NETTY, d.udpIo());
        assertEquals(new RootConfig.Control("::1", 0, 8, 100, Duration.ofMillis(250)), c.control());
        assertEquals(new RootConfig.Store(Path.of("/var/tmp/x.db"), Sync.NORMAL), c.store());
    }

    @Test
    void controlLimitsHaveDefaultsAndCanBeSet() throws Exception {
        assertEquals(dev.tendril.root.application.ControlLimits.defaults(), valid("{}").control().limits());
        RootConfig c = valid("""
                control:
                  limits:
                    minIpv4Prefix: 20
                    minIpv6Prefix: 48
                    maxMigrationLifetime: 10m
                    maxSubnetsPerRequest: 8
                    maxMigrationsPerService: 100
                    maxMigrationsTotal: 1000
                    maxInstancesPerService: 50
                    maxServicesPerPlatform: 5
                """);
        assertEquals(new dev.tendril.root.application.ControlLimits(20, 48, Duration.ofMinutes(10), 8, 100, 1000, 50, 5),
                c.control().limits());
        assertHas(problems("control: {limits: {minIpv4Prefix: 33}}"), "minIpv4Prefix", "33");
        assertHas(problems("control: {limits: {maxSubnetsPerRequest: 0}}"), "maxSubnetsPerRequest", "0");
        assertHas(problems("control: {limits: {maxMigrations: 5}}"), "maxMigrations");
    }

    @Test
    void oddAndOversizedFilesAreRefusedWithAClearError() throws Exception {
        assertHas(problems("dns:\n  port: 53\ndns:\n  port: 1\n"), "bad.yaml", "dns");
        assertHas(problems("- preset: lan\n- id: x\n"), "bad.yaml", "a list", "mapping");
        assertHas(problems("id: " + "r".repeat(100_000) + "\n"), "bad.yaml", "characters");
        Path huge = dir.resolve("huge.yaml");
        try (var out = Files.newBufferedWriter(huge)) {
            out.write("id: \"");
            String chunk = "x".repeat(1 << 20);
            for (int i = 0; i < 30; i++) {
                out.write(chunk);
            }
            out.write("\"\n");
        }
        Validated<RootConfig> v = RootConfigReader.read(huge.toString(), List.of(), dir);
        assertHas(((Validated.Invalid<RootConfig>) v).problems(), "--config", "huge.yaml", "bytes; at most 1048576");
        assertHas(problems("{}", "id=" + "r".repeat(100_000)), "--set id", "characters");
    }

    @Test
    void problemsNameTheKeyTheValueAndWhatIsAllowed() throws Exception {
        List<String> p = problems("""
                preset: moon
                id: Root_1
                dns:
                  port: 70000
                  recordsPerAnswer: 0
                  whenNoneLive: maybe
                  udpIo: io_uring
                  bindAddress: localhost
                  defaultPosition: {latitude: 91, longitude: 0}
                control: {port: -1, handlerThreads: 0}
                store: {sync: sometimes}
                tree: {fanOut: 0}
                geoip: {databases: [builtin:demo, /nonexistent/city.mmdb]}
                colour: blue
                """);
        assertHas(p, "preset", "moon", "local, lan or wan");
        assertHas(p, "id", "Root_1", "DNS label");
        assertHas(p, "dns.port", "70000", "[0, 65535]");
        assertHas(p, "dns.recordsPerAnswer", "0", "[1, 64]");
        assertHas(p, "dns.whenNoneLive", "MAYBE", "SERVFAIL or LAST_KNOWN");
        assertHas(p, "dns.udpIo", "IO_URING", "AUTO, MMSG or NETTY");
        assertHas(p, "dns.bindAddress", "localhost", "literal");
        assertHas(p, "dns.defaultPosition.latitude", "91", "[-90, 90]");
        assertHas(p, "control.port", "-1");
        assertHas(p, "control.handlerThreads", "0");
        assertHas(p, "store.sync", "SOMETIMES", "FULL");
        assertHas(p, "tree.fanOut", "0", "[1, 1000]");
        assertHas(p, "geoip.databases[1]", "/nonexistent/city.mmdb", "builtin:demo");
        assertHas(p, "colour", "unknown key");
        assertTrue(p.size() >= 13, p.toString());
    }

    @Test
    void dnsNamesAreCheckedByTheDnsConfigWithTheirKey() throws Exception {
        assertHas(problems("dns: {zones: [\"bad zone!\"]}\n"), "dns.zones", "bad zone!");
    }

    @Test
    void overridesReplaceKeysAndAreValidatedLikeTheFile() throws Exception {
        RootConfig c = valid("dns: {port: 5353}\n", "dns.port=0", "store.path=/tmp/o.db", "dns.zones=[a.example.]");
        assertEquals(0, c.dns().port());
        assertEquals(Path.of("/tmp/o.db"), c.store().path());
        assertEquals(List.of("a.example."), c.dns().zones());
        assertHas(problems("{}", "dns.port=abc"), "dns.port", "abc");
        assertHas(problems("{}", "novalue"), "--set", "key=value");
    }

    @Test
    void unreadableAndMalformedFilesAreReported() throws Exception {
        Validated<RootConfig> missing = RootConfigReader.read(dir.resolve("nope.yaml").toString(), List.of(), dir);
        assertTrue(((Validated.Invalid<RootConfig>) missing).problems().get(0).contains("--config"));
        assertHas(problems("dns: [unclosed\n"), "YAML syntax error", "line");
        assertHas(problems("- a list\n"), "the document is a list", "mapping");
    }

    @Test
    void rateLimitingIsOnInTheLanAndWanPresetsAndConfigurable() throws Exception {
        assertFalse(valid("{}").dns().rateLimit().enabled(), "local preset: off");
        DnsConfig.RateLimit lan = valid("preset: lan\n" + keys()).dns().rateLimit(); // lan needs keys
        assertTrue(lan.enabled());
        assertEquals(DnsConfig.RateLimit.defaults().withEnabled(true), lan);
        assertTrue(valid("preset: wan\n" + keys()).dns().rateLimit().enabled());
        DnsConfig.RateLimit mine = valid("preset: wan\n" + keys() + "dns:\n  rateLimit:\n    enabled: false\n    responsesPerSecond: 50\n"
                + "    slip: 0\n    exempt: [10.0.0.0/8]\n").dns().rateLimit();
        assertEquals(new DnsConfig.RateLimit(false, 50, 200, 200, 15, 0, 24, 56, List.of("10.0.0.0/8"), 65_536, 16), mine);
        assertHas(problems("dns:\n  rateLimit:\n    slip: 11\n"), "slip", "11");
        assertHas(problems("dns:\n  rateLimit:\n    exempt: [10.0.0.0/33]\n"), "dns.rateLimit.exempt", "10.0.0.0/33");
        assertHas(problems("dns:\n  rateLimit:\n    burst: 3\n"), "burst");
        assertEquals("hide", valid("dns:\n  version: hide\n").dns().version());
        assertEquals(new DnsConfig.Cookies(true, ""), valid("{}").dns().cookies());
        assertEquals(new DnsConfig.Cookies(true, "e5e973e5a6b2a43f48e7dc849e37bfcf"),
                valid("dns:\n  cookies: {secret: E5E973E5A6B2A43F48E7DC849E37BFCF}\n").dns().cookies());
        assertHas(problems("dns:\n  cookies: {secret: nothex}\n"), "dns.cookies.secret", "32 hex digits");
    }

    @Test
    void withoutAClusterSectionARootIsASingleRoot() throws Exception {
        assertTrue(valid("{}").cluster().isEmpty());
    }

    @Test
    void theClusterSectionNamesThisRootItsPeersAndTheRaftStorage() throws Exception {
        RootConfig c = valid("""
                id: r2
                cluster:
                  id: r2
                  storage: raft/r2
                  electionTimeoutMin: 200ms
                  electionTimeoutMax: 400ms
                  peers:
                    - {id: r1, raft: 127.0.0.1:6001, control: 127.0.0.1:5390}
                    - {id: r2, raft: 127.0.0.1:6002, control: 127.0.0.1:5391}
                    - {id: r3, raft: 127.0.0.1:6003, control: 127.0.0.1:5392}
                """);
        var cluster = c.cluster().orElseThrow();
        assertEquals("r2", cluster.self());
        assertEquals(3, cluster.peers().size());
        assertEquals("tcp://127.0.0.1:5392", cluster.peer("r3").orElseThrow().controlEndpoint());
        assertEquals(dir.resolve("raft/r2"), cluster.storage());
        assertEquals("tendril", cluster.group());
        assertEquals(java.time.Duration.ofMillis(200), cluster.electionMin());
    }

    @Test
    void clusterProblemsNameTheKeyAndWhatIsAllowed() throws Exception {
        List<String> p = problems("""
                cluster:
                  id: r9
                  peers:
                    - {id: r1, raft: nowhere, control: 127.0.0.1:5390}
                    - {id: r1, raft: 127.0.0.1:6002, control: 127.0.0.1:5391}
                """);
        assertHas(p, "cluster.peers[0].raft", "nowhere", "host:port");
        assertHas(p, "cluster.peers[1].id", "r1", "not listed before");
        assertHas(p, "cluster.id", "r9", "one of the peer ids");
    }

    private static final String PEERS_ON_LOOPBACK = """
              peers:
                - {id: r1, raft: 127.0.0.1:6001, control: 127.0.0.1:5390}
                - {id: r2, raft: 127.0.0.1:6002, control: 127.0.0.1:5391}
            """;
    private static final String PEERS_BEYOND_LOOPBACK = """
              peers:
                - {id: r1, raft: 10.0.0.1:6001, control: 127.0.0.1:5390}
                - {id: r2, raft: 10.0.0.2:6001, control: 127.0.0.1:5391}
            """;

    @Test
    void theRaftTransportRunsInClearOnlyOnLoopbackWithTheLocalPreset() throws Exception {
        assertTrue(valid("id: r1\ncluster:\n  id: r1\n" + PEERS_ON_LOOPBACK).cluster().orElseThrow().tls().isEmpty());
        assertHas(problems("id: r1\ncluster:\n  id: r1\n" + PEERS_BEYOND_LOOPBACK), "cluster.tls", "beyond loopback",
                "tendrilctl keys gen-tls");
        assertHas(problems("preset: lan\nid: r1\n" + keys() + "cluster:\n  id: r1\n" + PEERS_ON_LOOPBACK), "cluster.tls",
                "lan preset", "in clear");
        // an isolated testbed says so, as for the control endpoint
        assertTrue(valid("id: r1\nsecurity: {insecureClear: true}\ncluster:\n  id: r1\n" + PEERS_BEYOND_LOOPBACK)
                .cluster().orElseThrow().tls().isEmpty());
    }

    @Test
    void clusterTlsReadsTheKeyAndPinsTheCertificatesListed() throws Exception {
        TlsKeyFiles.Identity own = TlsKeyFiles.generate(dir.resolve("keys"), "roots");
        TlsKeyFiles.Identity next = TlsKeyFiles.generate(dir.resolve("keys"), "roots-next");
        var tls = valid("id: r1\ncluster:\n  id: r1\n  tls: {key: keys/roots.tls.key, cert: keys/roots.crt}\n"
                + PEERS_BEYOND_LOOPBACK).cluster().orElseThrow().tls().orElseThrow();
        assertEquals(own.certificate(), tls.certificate());
        assertEquals(List.of(own.certificate()), tls.peers(), "by default a peer must present this root's own certificate");
        var rotating = valid("id: r1\ncluster:\n  id: r1\n  tls: {key: keys/roots.tls.key, cert: keys/roots.crt, "
                + "peers: [keys/roots.crt, keys/roots-next.crt]}\n" + PEERS_ON_LOOPBACK).cluster().orElseThrow().tls().orElseThrow();
        assertEquals(List.of(own.certificate(), next.certificate()), rotating.peers());

        assertHas(problems("id: r1\ncluster:\n  id: r1\n  tls: {key: keys/roots.tls.key, cert: keys/roots.crt, "
                + "peers: [keys/roots-next.crt]}\n" + PEERS_ON_LOOPBACK), "cluster.tls.peers", "own certificate");
        assertHas(problems("id: r1\ncluster:\n  id: r1\n  tls: {key: keys/nothing.tls.key, cert: keys/roots.crt}\n"
                + PEERS_ON_LOOPBACK), "cluster.tls.key", "does not exist");
        Files.setPosixFilePermissions(dir.resolve("keys/roots.tls.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertHas(problems("id: r1\ncluster:\n  id: r1\n  tls: {key: keys/roots.tls.key, cert: keys/roots.crt}\n"
                + PEERS_ON_LOOPBACK), "cluster.tls.key", "chmod 600");
        assertHas(problems("id: r1\ncluster:\n  id: r1\n  tls: {cert: keys/roots.crt}\n" + PEERS_ON_LOOPBACK),
                "cluster.tls.key");
    }
}
