package dev.tendril.edge.bootstrap;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.domain.Platform;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.Validated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EdgeConfigReaderTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            platform:
              id: munich-1
              name: Munich 1
              address: 127.0.0.2
              position: {lat: 48.137, lon: 11.575}
              arch: amd64
              cpus: 4
              ram: 8Gi
              disk: 100Gi
              gpus: 1
              labels: {site: munich}
            zone: svc.example.edge.
            root:
              control: [127.0.0.1:5300]
            infrastructure:
              file: infra.yaml
              platforms:
                - {id: berlin-1, address: 127.0.0.3, position: {lat: 52.52, lon: 13.405}, arch: arm64, cpus: 2, ram: 2Gi, treePort: 7410}
            policies:
              preset: local
              thresholds: {cpu: 0.75}
              heartbeatInterval: 300ms
            admin:
              key: 0123456789abcdef0123
              bind: 127.0.0.2:7401
            tree:
              bind: 127.0.0.2:7400
            runtime: {kind: process}
            """;

    private Validated<EdgeConfig> read(String yaml) throws IOException {
        Files.writeString(dir.resolve("infra.yaml"), """
                platforms:
                  - {id: hamburg-1, address: 127.0.0.4, position: {lat: 53.55, lon: 9.99}, arch: amd64, cpus: 8, ram: 16Gi}
                  - {id: munich-1, address: 127.0.0.2, position: {lat: 48.137, lon: 11.575}, arch: amd64, cpus: 4, ram: 8Gi}
                """);
        Path file = dir.resolve("edge.yaml");
        Files.writeString(file, yaml);
        return EdgeConfigReader.read(file);
    }

    private void assertProblems(String yaml, String... fragments) throws IOException {
        List<String> p = assertInstanceOf(Validated.Invalid.class, read(yaml)).problems();
        String all = String.join("\n", p);
        for (String f : fragments) {
            assertTrue(all.contains(f), "expected '" + f + "' in:\n" + all);
        }
    }

    @Test
    void readsAFullConfig() throws IOException {
        EdgeConfig c = read(CONFIG).orThrow();
        assertEquals("munich-1", c.platform().id());
        assertEquals(Arch.AMD64, c.platform().hardware().arch());
        assertEquals(8L << 30, c.platform().hardware().ramBytes());
        assertEquals(1, c.platform().hardware().gpus());
        assertEquals("svc.example.edge", c.zone());
        assertEquals(List.of(new Endpoint("127.0.0.1", 5300)), c.rootControl());
        assertEquals(List.of("munich-1", "berlin-1", "hamburg-1"), c.infrastructure().stream().map(p -> p.id()).toList());
        assertEquals(0.75, c.policies().thresholds().cpu());
        assertEquals(Duration.ofMillis(300), c.policies().heartbeatInterval());
        assertEquals(Duration.ofSeconds(10), c.policies().loadWindow());
        assertEquals(EdgeConfig.Runtime.PROCESS, c.runtime());
        assertEquals(dir.resolve("state"), c.stateDir());
        assertEquals(Duration.ofMillis(900), c.policies().deadAfter());
    }

    @Test
    void lanAndSocketsBeyondLoopbackRefuseToRunWithoutKeysAndSayHowToMakeThem() throws IOException {
        assertProblems(CONFIG.replace("preset: local", "preset: lan"), "security.key: missing",
                "tendrilctl keys gen --out keys --name munich-1", "tendrilctl keys enrol");
        assertProblems(CONFIG.replace("bind: 127.0.0.2:7400", "bind: 0.0.0.0:7400"), "security.key: missing");
        assertTrue(read(CONFIG).orThrow().security().keys().isEmpty(), "local on loopback may run in clear");
        read(CONFIG.replace("bind: 127.0.0.2:7400", "bind: 0.0.0.0:7400") + "security: {insecureClear: true}\n").orThrow();
        assertProblems(CONFIG.replace("preset: local", "preset: lan") + "security: {insecureClear: true}\n",
                "security.insecureClear", "only local");
    }

    @Test
    void keysAreReadWithTheirPermissionsChecked() throws IOException {
        dev.tendril.protocol.transport.CurveKeyPair own = dev.tendril.protocol.keys.CurveKeyFiles.generate(dir.resolve("keys"), "munich-1");
        dev.tendril.protocol.transport.CurveKeyPair root = dev.tendril.protocol.keys.CurveKeyFiles.generate(dir.resolve("keys"), "root-1");
        String secure = CONFIG.replace("preset: local", "preset: lan")
                + "security:\n  key: keys/munich-1.key\n  rootKeys: [keys/root-1.pub]\n  operatorKeys: {alice: '"
                + root.publicKey() + "'}\n";
        EdgeConfig c = read(secure).orThrow();
        assertEquals(own, c.security().keys().orElseThrow());
        assertEquals(List.of(root.publicKey()), c.security().rootKeys());
        assertEquals(Map.of("alice", root.publicKey()), c.security().operatorKeys());
        assertProblems(secure.replace("  rootKeys: [keys/root-1.pub]\n", ""), "security.rootKeys: missing");
        Files.setPosixFilePermissions(dir.resolve("keys/munich-1.key"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
        assertProblems(secure, "security.key: got 'keys/munich-1.key'", "chmod 600");
    }

    @Test
    void aRootsNextKeyIsPublishedAheadOfItsRotation() throws IOException {
        dev.tendril.protocol.keys.CurveKeyFiles.generate(dir.resolve("keys"), "munich-1");
        dev.tendril.protocol.transport.CurveKeyPair root = dev.tendril.protocol.keys.CurveKeyFiles.generate(dir.resolve("keys"), "root-1");
        dev.tendril.protocol.transport.CurveKeyPair next = dev.tendril.protocol.keys.CurveKeyFiles.generate(dir.resolve("keys/next"), "root-1");
        String secure = CONFIG.replace("preset: local", "preset: lan")
                + "security:\n  key: keys/munich-1.key\n  rootKeys: [keys/root-1.pub]\n  nextRootKeys: [keys/next/root-1.pub]\n";
        EdgeConfig c = read(secure).orThrow();
        assertEquals(List.of(next.publicKey()), c.security().nextRootKeys());
        assertEquals(List.of(root.publicKey()), c.security().rootKeys());
        assertEquals(List.of(), read(secure.replace("  nextRootKeys: [keys/next/root-1.pub]\n", "")).orThrow()
                .security().nextRootKeys(), "optional");
        assertProblems(secure.replace("[keys/next/root-1.pub]", "[keys/next/nope.pub]"), "security.nextRootKeys[0]: got 'keys/next/nope.pub'");
    }

    @Test
    void aPlatformsTreePortIsPartOfItsEntry() throws IOException {
        EdgeConfig c = read(CONFIG).orThrow();
        Map<String, Platform> byId = new HashMap<>();
        c.infrastructure().forEach(p -> byId.put(p.id(), p));
        assertEquals(7410, byId.get("berlin-1").treePort());
        assertEquals(new Endpoint("127.0.0.3", 7410), byId.get("berlin-1").treeEndpoint(7400));
        assertEquals(0, byId.get("hamburg-1").treePort(), "not configured");
        assertEquals(new Endpoint("127.0.0.4", 7400), byId.get("hamburg-1").treeEndpoint(7400), "the default port");
        assertProblems(CONFIG.replace("treePort: 7410", "treePort: 70000"),
                "infrastructure.platforms[0].treePort: got '70000'");
    }

    @Test
    void dockerNetworkModeIsOptionalAndChecked() throws IOException {
        assertEquals(Optional.empty(), read(CONFIG).orThrow().dockerNetwork());
        String shared = CONFIG.replace("runtime: {kind: process}",
                "runtime: {kind: docker, network: \"container:tendril-edge-munich\"}");
        assertEquals(Optional.of("container:tendril-edge-munich"), read(shared).orThrow().dockerNetwork());
        assertProblems(CONFIG.replace("runtime: {kind: process}", "runtime: {kind: docker, network: \"bad net; rm\"}"),
                "runtime.network: got 'bad net; rm'; allowed: a Docker network mode");
    }

    @Test
    void everyErrorNamesKeyValueAndAllowed() throws IOException {
        assertProblems(CONFIG.replace("arch: amd64\n  cpus: 4", "arch: x86\n  cpus: -1")
                        .replace("lat: 48.137", "lat: 91").replace("key: 0123456789abcdef0123", "key: short")
                        .replace("heartbeatInterval: 300ms", "heartbeatInterval: soon")
                        .replace("kind: process", "kind: vm"),
                "platform.arch: got 'x86'; allowed: one of amd64",
                "platform.cpus: got '-1'",
                "platform.position.lat: got '91'; allowed: a number in [-90, 90]",
                "admin.key: got '(5 characters)'; allowed: a key of at least 16",
                "policies.heartbeatInterval: got 'soon'",
                "runtime.kind: got 'vm'; allowed: docker or process");
    }

    @Test
    void reportsMissingRequiredKeys() throws IOException {
        assertProblems("platform: {id: a}\n",
                "platform.address: missing", "platform.position: missing", "platform.arch: missing",
                "zone: missing", "root: missing", "admin: missing");
    }

    @Test
    void rejectsDuplicateInfrastructureIdsAndBadEndpoints() throws IOException {
        assertProblems(CONFIG.replace("id: berlin-1", "id: hamburg-1").replace("[127.0.0.1:5300]", "[nowhere]"),
                "infra.yaml.platforms[0].id: got 'hamburg-1'; allowed: an id used once",
                "root.control[0]: got 'nowhere'");
    }

    @Test
    void adminAndTreeSocketsMustDiffer() throws IOException {
        assertProblems(CONFIG.replace("bind: 127.0.0.2:7401", "bind: 127.0.0.2:7400"), "admin.bind: got '127.0.0.2:7400'");
    }

    @Test
    void geoipDefaultsToTheBuiltinDemo() throws IOException {
        assertEquals(List.of("builtin:demo"), read(CONFIG).orThrow().geoipDatabases());
    }

    @Test
    void geoipFilesAreResolvedOpenedAndLayeredInOrder() throws IOException {
        try (var in = getClass().getResourceAsStream(dev.tendril.geoip.adapter.out.maxmind.GeoDatabases.DEMO_RESOURCE)) {
            Files.createDirectories(dir.resolve("geo"));
            Files.write(dir.resolve("geo/users.mmdb"), in.readAllBytes());
        }
        EdgeConfig c = read(CONFIG + "geoip: {databases: [geo/users.mmdb, builtin:demo]}\n").orThrow();
        assertEquals(List.of(dir.resolve("geo/users.mmdb").toString(), "builtin:demo"), c.geoipDatabases());
    }

    @Test
    void geoipProblemsNameTheEntryAndWhatIsAllowed() throws IOException {
        Files.writeString(dir.resolve("notes.mmdb"), "not a database");
        assertProblems(CONFIG + "geoip: {databases: [missing.mmdb, notes.mmdb, builtin:demo], cache: 5}\n",
                "geoip.databases[0]: got 'missing.mmdb'; allowed: builtin:demo or the path of a city .mmdb file",
                "does not exist",
                "geoip.databases[1]: got 'notes.mmdb'",
                "not a valid MaxMind DB",
                "geoip.cache");
        assertProblems(CONFIG + "geoip: {databases: []}\n", "geoip.databases: got '[]'; allowed: at least one database");
    }

    @Test
    void duplicateKeysListsAndHugeFilesAreRefused() throws IOException {
        assertProblems(CONFIG + "zone: other.example.edge.\n", "edge.yaml", "zone");
        assertProblems("- platform: {}\n", "edge.yaml", "a list");
        assertProblems(CONFIG.replace("site: munich", "site: " + "m".repeat(70_000)), "characters");
        Path huge = dir.resolve("edge.yaml");
        try (var out = Files.newBufferedWriter(huge)) {
            out.write(CONFIG + "zone2: \"");
            String chunk = "x".repeat(1 << 20);
            for (int i = 0; i < 30; i++) {
                out.write(chunk);
            }
            out.write("\"\n");
        }
        String all = String.join("\n", assertInstanceOf(Validated.Invalid.class, EdgeConfigReader.read(huge)).problems());
        assertTrue(all.contains("too large") && all.contains("1048576"), all);
        assertTrue(all.length() < 1_000, "a short error: " + all.length());
    }

    @Test
    void severalNamedAdminKeysAndTheSingleKeyStillWorks() throws IOException {
        EdgeConfig single = read(CONFIG).orThrow();
        assertEquals(java.util.Map.of("admin", "0123456789abcdef0123"), single.admission().adminKeys());
        assertEquals(256 * 1024, single.admission().maxSpecBytes());
        Files.writeString(dir.resolve("bob.key"), "bob-secret-key-0123456789\n");
        EdgeConfig named = read(CONFIG.replace("  key: 0123456789abcdef0123\n", """
                  keys:
                    - {name: alice, key: alice-secret-key-0123}
                    - {name: bob, keyFile: bob.key}
                """) + "security: {maxSpecBytes: 65536}\n").orThrow();
        assertEquals(java.util.Map.of("alice", "alice-secret-key-0123", "bob", "bob-secret-key-0123456789"),
                named.admission().adminKeys());
        assertEquals(65536, named.admission().maxSpecBytes());
        assertProblems(CONFIG.replace("  key: 0123456789abcdef0123\n", """
                  keys:
                    - {name: alice, key: alice-secret-key-0123}
                    - {name: alice, key: short}
                """), "admin.keys[1].name", "admin.keys[1].key");
        assertProblems(CONFIG + "security: {signingKeys: [nope.pub]}\n", "security.signingKeys[0]", "nope.pub");
    }
}
