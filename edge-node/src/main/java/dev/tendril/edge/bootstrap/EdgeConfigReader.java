package dev.tendril.edge.bootstrap;

import dev.tendril.edge.adapter.out.yaml.YamlDocuments;
import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.domain.Platform;
import dev.tendril.geoip.adapter.out.maxmind.GeoDatabaseException;
import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.spec.DeploymentSpecReader;
import dev.tendril.protocol.spec.Problems;
import dev.tendril.protocol.spec.Thresholds;
import dev.tendril.protocol.spec.TreeReader;
import dev.tendril.protocol.spec.Validated;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and validates the edge node's YAML configuration. Every problem is collected and
 * names the key, the bad value and what is allowed. Relative paths (infrastructure file,
 * key file, load file, state dir) are resolved against the config file's folder.
 */
public final class EdgeConfigReader {
    private static final String DNS_LABEL = "a DNS label: 1-63 of a-z, 0-9, '-', not starting or ending with '-'";
    private static final String ENDPOINT = "host:port, e.g. 127.0.0.1:7400 ([v6]:port for IPv6)";
    static final int MIN_KEY_LENGTH = 16;

    private EdgeConfigReader() {
    }

    public static Validated<EdgeConfig> read(Path file) {
        Problems problems = new Problems();
        Object tree = YamlDocuments.read(file, problems);
        if (tree == null) {
            return new Validated.Invalid<>(problems.messages());
        }
        return read(tree, file.toAbsolutePath().getParent(), problems);
    }

    public static Validated<EdgeConfig> read(Object tree, Path baseDir, Problems problems) {
        TreeReader r = TreeReader.root(tree, problems);
        r.rejectUnknown("platform", "zone", "root", "infrastructure", "policies", "admin", "tree", "runtime",
                "monitoring", "stateDir", "geoip", "security");
        Optional<Platform> platform = platform(r.object("platform", true,
                "a mapping {id, name, address, position, arch, cpus, ram, disk, gpus, labels, treePort}"));
        String zone = r.string("zone", "the DNS zone of the root, e.g. svc.example.edge");
        if (r.has("zone") && !DeploymentSpecReader.isZone(zone)) {
            r.bad("zone", zone, "a domain name of DNS labels, e.g. svc.example.edge");
        }
        zone = zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone;

        TreeReader root = r.object("root", true, "a mapping {control: [host:port, ...]}");
        root.rejectUnknown("control");
        List<Endpoint> rootControl = endpoints(root, "control");
        if (rootControl.isEmpty() && r.has("root") && !root.has("control")) {
            root.missing("control", "the root control endpoint(s), " + ENDPOINT);
        }

        List<Platform> infrastructure = infrastructure(r, baseDir, platform);
        NodePolicies policies = policies(r.object("policies", false, "a mapping of policies"));

        TreeReader admin = r.object("admin", true, "a mapping {key or keyFile, keys, bind}");
        admin.rejectUnknown("key", "keyFile", "keys", "bind", "window");
        Map<String, String> adminKeys = adminKeys(admin, baseDir);
        java.time.Duration adminWindow = admin.duration("window", EdgeConfig.Security.DEFAULT_ADMIN_WINDOW);
        String key = adminKeys.values().stream().findFirst().orElse("");
        Endpoint adminBind = endpoint(admin, "bind", new Endpoint("127.0.0.1", 7401));
        TreeReader treeSock = r.object("tree", false, "a mapping {bind}");
        treeSock.rejectUnknown("bind");
        Endpoint treeBind = endpoint(treeSock, "bind", new Endpoint(platform.map(Platform::address).orElse("0.0.0.0"), 7400));
        if (adminBind.equals(treeBind) && adminBind.port() != 0) {
            admin.bad("bind", adminBind, "an endpoint other than tree.bind: the admin and tree sockets are separate");
        }

        TreeReader runtime = r.object("runtime", false, "a mapping {kind, dockerHost, network}");
        runtime.rejectUnknown("kind", "dockerHost", "network");
        String kind = runtime.string("kind", "docker", "docker or process");
        EdgeConfig.Runtime rt = switch (kind) {
            case "docker" -> EdgeConfig.Runtime.DOCKER;
            case "process" -> EdgeConfig.Runtime.PROCESS;
            default -> {
                runtime.bad("kind", kind, "docker or process");
                yield EdgeConfig.Runtime.DOCKER;
            }
        };
        String dockerHost = runtime.string("dockerHost", "unix:///var/run/docker.sock", "");
        if (!dockerHost.startsWith("unix://") && !dockerHost.startsWith("tcp://")) {
            runtime.bad("dockerHost", dockerHost, "unix:///path/to/docker.sock or tcp://host:port");
        }
        Optional<String> dockerNetwork = runtime.optString("network");
        dockerNetwork.filter(n -> !n.matches("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")).ifPresent(n ->
                runtime.bad("network", n, "a Docker network mode such as container:<name> or a network name"));
        TreeReader monitoring = r.object("monitoring", false, "a mapping {loadFile}");
        monitoring.rejectUnknown("loadFile");
        Optional<Path> loadFile = monitoring.optString("loadFile").map(baseDir::resolve);
        Path stateDir = baseDir.resolve(r.string("stateDir", "state", ""));
        List<String> geoip = geoip(r.object("geoip", false, "a mapping {databases: [builtin:demo or .mmdb paths]}"), baseDir);
        EdgeConfig.Security security = security(r.object("security", false, "a mapping {maxSpecBytes, operatorKeys}"),
                baseDir, adminKeys, adminWindow);

        if (!problems.isEmpty() || platform.isEmpty()) {
            return new Validated.Invalid<>(problems.messages().isEmpty() ? List.of("platform: invalid") : problems.messages());
        }
        return new Validated.Valid<>(new EdgeConfig(platform.get(), zone, rootControl, infrastructure, policies, key,
                adminBind, treeBind, rt, dockerHost, stateDir, loadFile, geoip, dockerNetwork, security));
    }

    /** Reads one platform entry; empty after recording problems. */
    static Optional<Platform> platform(TreeReader p) {
        p.rejectUnknown("id", "name", "address", "position", "arch", "cpus", "ram", "disk", "gpus", "labels", "treePort");
        int before = p.problems().all().size();
        String id = p.string("id", DNS_LABEL);
        if (p.has("id") && !Names.isDnsLabel(id)) {
            p.bad("id", id, DNS_LABEL);
        }
        String name = p.string("name", id, "");
        String address = p.string("address", "the public IPv4 or IPv6 address (a literal)");
        if (p.has("address") && !isIpLiteral(address)) {
            p.bad("address", address, "an IPv4 or IPv6 literal, e.g. 198.51.100.7");
        }
        TreeReader pos = p.object("position", true, "a mapping {lat, lon} in degrees");
        pos.rejectUnknown("lat", "lon");
        double lat = pos.number("lat", null, -90, 90);
        double lon = pos.number("lon", null, -180, 180);
        String archName = p.string("arch", "one of " + Arch.allowed());
        Optional<Arch> arch = Arch.parse(archName);
        if (p.has("arch") && arch.isEmpty()) {
            p.bad("arch", archName, "one of " + Arch.allowed());
        }
        double cpus = p.number("cpus", null, 0, 4096);
        if (p.has("cpus") && cpus == 0) {
            p.bad("cpus", 0, "a number of CPUs > 0");
        }
        long ram = p.size("ram", null);
        if (p.has("ram") && ram == 0) {
            p.bad("ram", 0, "a size > 0, e.g. 8Gi");
        }
        long disk = p.size("disk", 0L);
        int gpus = (int) p.integer("gpus", 0L, 0, 64);
        Map<String, String> labels = p.stringMap("labels", "a mapping of label names to values");
        int treePort = (int) p.integer("treePort", 0L, 0, 65535);
        if (p.problems().all().size() != before) {
            return Optional.empty();
        }
        return Optional.of(new Platform(id, name, address, new GeoPoint(lat, lon),
                new Hardware(arch.orElseThrow(), cpus, ram, disk, gpus), labels, treePort));
    }

    private static List<Platform> infrastructure(TreeReader r, Path baseDir, Optional<Platform> self) {
        TreeReader infra = r.object("infrastructure", false, "a mapping {file} or {platforms: [...]}");
        infra.rejectUnknown("file", "platforms");
        List<Platform> out = new ArrayList<>();
        List<TreeReader> entries = new ArrayList<>(infra.objects("platforms", "a platform mapping"));
        Optional<String> file = infra.optString("file");
        if (file.isPresent()) {
            Path path = baseDir.resolve(file.get());
            if (!Files.isReadable(path)) {
                infra.bad("file", file.get(), "a readable YAML file with a list 'platforms' (resolved against the config's folder)");
            } else {
                Object tree = YamlDocuments.read(path, r.problems());
                if (tree != null && !(tree instanceof Map)) {
                    infra.bad("file", file.get(), "a YAML mapping with a list 'platforms'");
                }
                TreeReader doc = new TreeReader(path.getFileName().toString(), asMap(tree), r.problems());
                doc.rejectUnknown("platforms");
                entries.addAll(doc.objects("platforms", "a platform mapping"));
            }
        }
        Set<String> ids = new HashSet<>();
        for (TreeReader e : entries) {
            platform(e).ifPresent(p -> {
                if (!ids.add(p.id())) {
                    e.bad("id", p.id(), "an id used once in the infrastructure");
                } else {
                    out.add(p);
                }
            });
        }
        if (self.isPresent()) {
            Platform me = self.get();
            out.removeIf(p -> p.id().equals(me.id()));
            out.add(0, me);
        }
        return out;
    }

    /**
     * GeoIP databases for locating users, first hit wins; default the bundled demo database.
     * Each file is opened once here, so a missing, unreadable or non-city file is reported
     * with the config's other problems rather than at start.
     */
    private static List<String> geoip(TreeReader g, Path baseDir) {
        g.rejectUnknown("databases");
        if (!g.has("databases")) {
            return List.of(GeoDatabases.BUILTIN_DEMO);
        }
        String allowed = GeoDatabases.BUILTIN_DEMO + " or the path of a city .mmdb file (bin/tendril-geoip-compile,"
                + " scripts/fetch-geoip.sh), resolved against the config's folder";
        int before = g.problems().all().size();
        List<String> given = g.strings("databases", allowed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String db = given.get(i);
            if (db.equals(GeoDatabases.BUILTIN_DEMO)) {
                out.add(db);
                continue;
            }
            Path file = baseDir.resolve(db).normalize();
            try (LayeredGeoLocator opened = GeoDatabases.open(List.of(file))) {
                out.add(file.toString());
            } catch (GeoDatabaseException e) {
                g.bad("databases[" + i + "]", db, allowed + " (" + e.getMessage() + ")");
            }
        }
        if (given.isEmpty() && g.problems().all().size() == before) {
            g.bad("databases", "[]", "at least one database: " + allowed);
        }
        return out.isEmpty() ? List.of(GeoDatabases.BUILTIN_DEMO) : out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object tree) {
        return tree instanceof Map ? (Map<String, Object>) tree : Map.of();
    }

    private static NodePolicies policies(TreeReader p) {
        p.rejectUnknown("preset", "thresholds", "sampleInterval", "loadWindow", "latencyWindow", "heartbeatInterval",
                "missedHeartbeats");
        String presetName = p.string("preset", "lan", "local, lan or wan");
        NodePolicies base;
        try {
            base = NodePolicies.preset(presetName);
        } catch (IllegalArgumentException e) {
            p.bad("preset", presetName, "local, lan or wan");
            base = NodePolicies.preset("lan");
        }
        Thresholds thresholds = Thresholds.read(p.object("thresholds", false, "a mapping {cpu, ram, gpu, disk}"),
                base.thresholds());
        return new NodePolicies(thresholds,
                p.duration("sampleInterval", base.sampleInterval()),
                p.duration("loadWindow", base.loadWindow()),
                p.duration("latencyWindow", base.latencyWindow()),
                p.duration("heartbeatInterval", base.heartbeatInterval()),
                (int) p.integer("missedHeartbeats", (long) base.missedHeartbeats(), 1, 100));
    }

    /**
     * The admin keys by operator name: {@code admin.key}/{@code admin.keyFile} (named
     * {@value EdgeConfig.Security#DEFAULT_ADMIN_NAME}) and/or {@code admin.keys: [{name, key|keyFile}]}.
     */
    private static Map<String, String> adminKeys(TreeReader admin, Path baseDir) {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        if (!admin.has("keys") || admin.has("key") || admin.has("keyFile")) {
            keys.put(EdgeConfig.Security.DEFAULT_ADMIN_NAME, adminKey(admin, baseDir));
        }
        for (TreeReader k : admin.objects("keys", "a mapping {name, key or keyFile}")) {
            k.rejectUnknown("name", "key", "keyFile");
            String name = k.string("name", "the operator's name (a DNS label)");
            if (k.has("name") && !Names.isDnsLabel(name)) {
                k.bad("name", name, DNS_LABEL);
            } else if (keys.containsKey(name)) {
                k.bad("name", name, "a name not used by another admin key");
            }
            keys.put(name, adminKey(k, baseDir));
        }
        return keys;
    }

    private static EdgeConfig.Security security(TreeReader s, Path baseDir, Map<String, String> adminKeys,
                                                java.time.Duration adminWindow) {
        s.rejectUnknown("maxSpecBytes", "operatorKeys");
        int maxSpec = (int) s.integer("maxSpecBytes", (long) EdgeConfig.Security.DEFAULT_MAX_SPEC_BYTES, 1024, 16L << 20);
        List<Path> operatorKeys = new ArrayList<>();
        if (s.has("operatorKeys")) {
            List<String> files = s.strings("operatorKeys", "files of operator public keys (tendrilctl keys gen-operator)");
            for (int i = 0; i < files.size(); i++) {
                Path p = baseDir.resolve(files.get(i)).normalize();
                if (!Files.isReadable(p)) {
                    s.bad("operatorKeys[" + i + "]", files.get(i), "a readable operator public key file (NAME.pub)");
                } else {
                    try {
                        dev.tendril.protocol.signing.OperatorKeys.readPublic(p);
                    } catch (java.io.IOException e) {
                        s.bad("operatorKeys[" + i + "]", files.get(i), "an Ed25519 public key file from tendrilctl keys "
                                + "gen-operator (" + e.getMessage() + ")");
                    }
                }
                operatorKeys.add(p);
            }
        }
        return new EdgeConfig.Security(maxSpec, adminKeys, operatorKeys, adminWindow);
    }

    private static String adminKey(TreeReader admin, Path baseDir) {
        String allowed = "a key of at least " + MIN_KEY_LENGTH + " characters (admin.key, or admin.keyFile naming a file that holds it)";
        Optional<String> key = admin.optString("key");
        Optional<String> keyFile = admin.optString("keyFile");
        if (key.isPresent() && keyFile.isPresent()) {
            admin.bad("keyFile", keyFile.get(), "either key or keyFile, not both");
            return "";
        }
        if (keyFile.isPresent()) {
            try {
                key = Optional.of(Files.readString(baseDir.resolve(keyFile.get())).strip());
            } catch (java.io.IOException e) {
                admin.bad("keyFile", keyFile.get(), "a readable file holding the key");
                return "";
            }
        }
        if (key.isEmpty()) {
            admin.missing("key", allowed);
            return "";
        }
        if (key.get().length() < MIN_KEY_LENGTH) {
            admin.bad(keyFile.isPresent() ? "keyFile" : "key", "(" + key.get().length() + " characters)", allowed);
        }
        return key.get();
    }

    private static Endpoint endpoint(TreeReader r, String key, Endpoint fallback) {
        Optional<String> text = r.optString(key);
        if (text.isEmpty()) {
            return fallback;
        }
        Optional<Endpoint> e = Endpoint.parse(text.get());
        if (e.isEmpty()) {
            r.bad(key, text.get(), ENDPOINT);
            return fallback;
        }
        return e.get();
    }

    private static List<Endpoint> endpoints(TreeReader r, String key) {
        List<Endpoint> out = new ArrayList<>();
        List<String> texts = r.strings(key, ENDPOINT);
        for (int i = 0; i < texts.size(); i++) {
            Optional<Endpoint> e = Endpoint.parse(texts.get(i));
            if (e.isEmpty() || e.get().port() == 0) {
                r.bad(key + "[" + i + "]", texts.get(i), ENDPOINT + " with a port in [1, 65535]");
            } else {
                out.add(e.get());
            }
        }
        return out;
    }

    static boolean isIpLiteral(String s) {
        try {
            new dev.tendril.protocol.message.NodeInfo("x", s, new GeoPoint(0, 0), List.of(), 0);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
