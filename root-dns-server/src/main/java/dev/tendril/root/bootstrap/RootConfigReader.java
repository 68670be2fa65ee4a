package dev.tendril.root.bootstrap;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.protocol.spec.Problems;
import dev.tendril.protocol.spec.StrictYaml;
import dev.tendril.protocol.spec.TreeReader;
import dev.tendril.protocol.spec.Validated;
import dev.tendril.root.adapter.in.dns.DnsConfig;
import dev.tendril.root.adapter.out.ratis.ClusterConfig;
import dev.tendril.protocol.keys.KeyFileException;
import dev.tendril.protocol.keys.TlsKeyFiles;
import java.security.cert.X509Certificate;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository.Sync;
import dev.tendril.root.application.ControlLimits;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the root's YAML configuration into a {@link RootConfig}. Every problem is collected
 * and names the key, the bad value and what is allowed. A {@code preset} (local, lan, wan)
 * sets defaults that the file's own keys override. Relative paths are resolved against the
 * config file's folder (for the built-in config: against {@code baseDir}).
 */
public final class RootConfigReader {
    /** The built-in demo configuration, on the classpath. */
    public static final String BUILTIN_DEMO = "builtin:demo";
    private static final String DEMO_RESOURCE = "/dev/tendril/root/demo-root.yaml";

    private static final String LITERAL = "an IPv4 or IPv6 address literal, e.g. 127.0.0.1, 0.0.0.0 or ::";
    private static final String NAMES = "absolute DNS names, e.g. [svc.example.edge.]";

    /** Defaults per preset. */
    private record Preset(String bindAddress, int dnsPort, int answerTtl, int fanOut, int tcpIdle) {
        static Preset of(String name) {
            return switch (name) {
                case "local" -> new Preset("127.0.0.1", 5353, 10, 4, 10);
                case "lan" -> new Preset("0.0.0.0", 53, 10, 4, 10);
                case "wan" -> new Preset("0.0.0.0", 53, 30, 8, 30);
                default -> null;
            };
        }
    }

    private RootConfigReader() {
    }

    /** Reads a file, or the built-in demo config when {@code source} is {@value #BUILTIN_DEMO}. */
    public static Validated<RootConfig> read(String source, List<String> overrides, Path baseDir) {
        String text;
        Path base;
        try {
            if (BUILTIN_DEMO.equals(source)) {
                try (InputStream in = RootConfigReader.class.getResourceAsStream(DEMO_RESOURCE)) {
                    if (in == null) {
                        return invalid("--config: the built-in demo config " + DEMO_RESOURCE + " is missing from the jar");
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                base = baseDir;
            } else {
                Path file = Path.of(source);
                text = StrictYaml.readFile(file, StrictYaml.MAX_CONFIG_BYTES);
                base = file.toAbsolutePath().getParent();
            }
        } catch (IOException e) {
            return invalid("--config: got '" + source + "'; allowed: a readable YAML file or " + BUILTIN_DEMO
                    + " (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            return invalid("--config: " + e.getMessage());
        }
        try {
            Object tree = YamlTree.parse(text, source);
            for (String o : overrides) {
                tree = YamlTree.override(tree, o);
            }
            return read(tree, base);
        } catch (IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
    }

    /** Validates a parsed tree. */
    public static Validated<RootConfig> read(Object tree, Path baseDir) {
        Problems problems = new Problems();
        List<String> extra = new ArrayList<>();
        TreeReader r = TreeReader.root(tree, problems);
        r.rejectUnknown("preset", "id", "dns", "control", "store", "tree", "geoip", "http", "security", "cluster");
        String presetName = r.string("preset", "local", "local, lan or wan").toLowerCase(Locale.ROOT);
        Preset preset = Preset.of(presetName);
        if (preset == null) {
            r.bad("preset", presetName, "local, lan or wan");
            preset = Preset.of("local");
        }
        String id = r.string("id", "root-1", "a DNS label");
        if (!Names.isDnsLabel(id)) {
            r.bad("id", id, "a DNS label: 1-63 of a-z, 0-9, '-', not starting or ending with '-'");
        }
        DnsConfig dns = dns(r.object("dns", false, "a mapping"), preset, id, extra);
        RootConfig.Control control = control(r.object("control", false, "a mapping"), preset);
        RootConfig.Store store = store(r.object("store", false, "a mapping"), baseDir);
        TreeReader treeKeys = r.object("tree", false, "a mapping {fanOut}");
        treeKeys.rejectUnknown("fanOut");
        int fanOut = (int) treeKeys.integer("fanOut", (long) preset.fanOut(), 1, 1000);
        List<String> geoip = geoip(r.object("geoip", false, "a mapping {databases}"), baseDir);
        Optional<RootConfig.Http> http = http(r.object("http", false, "a mapping {bindAddress, port}"));
        RootConfig.Security security = RootSecurityReader.read(r.object("security", false,
                "a mapping {serverKey, operatorKeys}"), presetName, control.bindAddress(), id, baseDir);
        java.util.Optional<ClusterConfig> cluster = r.has("cluster")
                ? java.util.Optional.of(cluster(r.object("cluster", false, CLUSTER), baseDir, presetName,
                        security.insecureClear()))
                : java.util.Optional.empty();

        List<String> all = new ArrayList<>(problems.messages());
        all.addAll(extra);
        if (!all.isEmpty() || dns == null) {
            return new Validated.Invalid<>(all.isEmpty() ? List.of("dns: invalid") : all);
        }
        return new Validated.Valid<>(new RootConfig(id, dns, control, store, fanOut, geoip, http, presetName, security, cluster));
    }

    private static DnsConfig dns(TreeReader d, Preset preset, String id, List<String> extra) {
        d.rejectUnknown("zones", "nameServers", "soa", "soaTtlSeconds", "answerTtlSeconds", "recordsPerAnswer",
                "defaultPosition", "whenNoneLive", "nsid", "bindAddress", "port", "maxUdpPayload",
                "tcpIdleTimeoutSeconds", "ioThreads", "version", "rateLimit", "cookies", "tcpMaxConnections",
                "tcpMaxConnectionsPerClient", "udpIo", "udpLanes", "xdpInterfaces");
        DnsConfig.Builder b = DnsConfig.builder();
        if (d.has("zones")) {
            List<String> zones = d.strings("zones", NAMES);
            b.zones(zones);
            if (!d.has("nameServers") && !zones.isEmpty()) {
                b.nameServers(List.of("ns1." + zones.get(0)));
            }
        }
        if (d.has("nameServers")) {
            b.nameServers(d.strings("nameServers", NAMES));
        }
        TreeReader soa = d.object("soa", false, "a mapping {primary, admin, serial, refresh, retry, expire, minimum}");
        soa.rejectUnknown("primary", "admin", "serial", "refresh", "retry", "expire", "minimum");
        DnsConfig.Soa s = DnsConfig.Soa.defaults();
        b.soaTtlSeconds((int) d.integer("soaTtlSeconds", 3600L, 0, 604800));
        b.answerTtlSeconds((int) d.integer("answerTtlSeconds", (long) preset.answerTtl(), 1, 86400));
        b.recordsPerAnswer((int) d.integer("recordsPerAnswer", 1L, 1, 64));
        TreeReader pos = d.object("defaultPosition", false, "a mapping {latitude, longitude}");
        pos.rejectUnknown("latitude", "longitude");
        if (d.has("defaultPosition")) {
            b.defaultPosition(new GeoPoint(pos.number("latitude", null, -90, 90), pos.number("longitude", null, -180, 180)));
        }
        String when = d.string("whenNoneLive", "SERVFAIL", "SERVFAIL or LAST_KNOWN").toUpperCase(Locale.ROOT);
        try {
            b.whenNoneLive(DnsConfig.WhenNoneLive.valueOf(when));
        } catch (IllegalArgumentException e) {
            d.bad("whenNoneLive", when, "SERVFAIL or LAST_KNOWN");
        }
        b.nsid(d.string("nsid", id, "printable ASCII, at most 255 characters"));
        String bind = d.string("bindAddress", preset.bindAddress(), LITERAL);
        if (!isLiteral(bind)) {
            d.bad("bindAddress", bind, LITERAL);
            bind = preset.bindAddress();
        }
        b.bindAddress(bind);
        b.port((int) d.integer("port", (long) preset.dnsPort(), 0, 65535));
        b.maxUdpPayload((int) d.integer("maxUdpPayload", 1232L, 512, 4096));
        b.tcpIdleTimeoutSeconds((int) d.integer("tcpIdleTimeoutSeconds", (long) preset.tcpIdle(), 1, 3600));
        b.ioThreads((int) d.integer("ioThreads", 0L, 0, 256));
        b.udpLanes((int) d.integer("udpLanes", 1L, 1, 64));
        if (d.has("xdpInterfaces")) {
            b.xdpInterfaces(d.strings("xdpInterfaces", "network interface names, e.g. [eth0]"));
        }
        b.tcpMaxConnections((int) d.integer("tcpMaxConnections", 1024L, 1, 1_000_000));
        b.tcpMaxConnectionsPerClient((int) d.integer("tcpMaxConnectionsPerClient", 32L, 1, 1_000_000));
        String udpIo = d.string("udpIo", "AUTO", "AUTO, MMSG or NETTY").toUpperCase(Locale.ROOT);
        try {
            b.udpIo(DnsConfig.UdpIo.valueOf(udpIo));
        } catch (IllegalArgumentException e) {
            d.bad("udpIo", udpIo, "AUTO, MMSG or NETTY");
        }
        b.version(d.string("version", "tendril", "printable ASCII, at most 255 characters, or hide"));
        try {
            if (soa.has("primary") || soa.has("admin") || soa.has("serial") || soa.has("refresh") || soa.has("retry")
                    || soa.has("expire") || soa.has("minimum")) {
                s = new DnsConfig.Soa(soa.string("primary", "", "an absolute DNS name"),
                        soa.string("admin", s.admin(), "an absolute DNS name (the mailbox, '.' for '@')"),
                        soa.integer("serial", s.serial(), 0, 0xFFFFFFFFL),
                        (int) soa.integer("refresh", (long) s.refresh(), 1, Integer.MAX_VALUE),
                        (int) soa.integer("retry", (long) s.retry(), 1, Integer.MAX_VALUE),
                        (int) soa.integer("expire", (long) s.expire(), 1, Integer.MAX_VALUE),
                        (int) soa.integer("minimum", (long) s.minimum(), 0, 86400));
            }
            b.soa(s);
            b.rateLimit(rateLimit(d.object("rateLimit", false, "a mapping"), !preset.equals(Preset.of("local"))));
            TreeReader cookies = d.object("cookies", false, "a mapping {enabled, secret}");
            cookies.rejectUnknown("enabled", "secret");
            b.cookies(new DnsConfig.Cookies(cookies.bool("enabled", true), cookies.string("secret", "", "32 hex digits or \"\"")));
            return b.build();
        } catch (IllegalArgumentException e) {
            extra.add(e.getMessage()); // DnsConfig names the key (dns.zones, dns.soa.admin, ...)
            return null;
        }
    }

    /** dns.rateLimit; on by default in the lan and wan presets. */
    private static DnsConfig.RateLimit rateLimit(TreeReader r, boolean onByDefault) {
        r.rejectUnknown("enabled", "responsesPerSecond", "nxdomainsPerSecond", "errorsPerSecond", "windowSeconds", "slip",
                "ipv4PrefixLength", "ipv6PrefixLength", "exempt", "tableSize",
                "quarantineNetworks");
        DnsConfig.RateLimit d = DnsConfig.RateLimit.defaults();
        return new DnsConfig.RateLimit(r.bool("enabled", onByDefault),
                (int) r.integer("responsesPerSecond", (long) d.responsesPerSecond(), 0, 100_000),
                (int) r.integer("nxdomainsPerSecond", (long) d.nxdomainsPerSecond(), 0, 100_000),
                (int) r.integer("errorsPerSecond", (long) d.errorsPerSecond(), 0, 100_000),
                (int) r.integer("windowSeconds", (long) d.windowSeconds(), 1, 300),
                (int) r.integer("slip", (long) d.slip(), 0, 10),
                (int) r.integer("ipv4PrefixLength", (long) d.ipv4PrefixLength(), 8, 32),
                (int) r.integer("ipv6PrefixLength", (long) d.ipv6PrefixLength(), 16, 64),
                r.has("exempt") ? r.strings("exempt", "networks such as [10.0.0.0/8, 2001:db8::/32]") : List.of(),
                (int) r.integer("tableSize", (long) d.tableSize(), 1024, 1 << 24),
                (int) r.integer("quarantineNetworks", (long) d.quarantineNetworks(), 0, 64));
    }

    private static RootConfig.Control control(TreeReader c, Preset preset) {
        c.rejectUnknown("bindAddress", "port", "handlerThreads", "maxBatch", "purgeEvery", "limits");
        String bind = c.string("bindAddress", preset.bindAddress(), LITERAL);
        if (!isLiteral(bind)) {
            c.bad("bindAddress", bind, LITERAL);
        }
        return new RootConfig.Control(bind, (int) c.integer("port", 5390L, 0, 65535),
                (int) c.integer("handlerThreads", 64L, 1, 1024), (int) c.integer("maxBatch", 512L, 1, 100_000),
                c.duration("purgeEvery", Duration.ofSeconds(1)),
                limits(c.object("limits", false, "a mapping {minIpv4Prefix, minIpv6Prefix, maxMigrationLifetime, ...}")));
    }

    private static ControlLimits limits(TreeReader l) {
        l.rejectUnknown("minIpv4Prefix", "minIpv6Prefix", "maxMigrationLifetime", "maxSubnetsPerRequest",
                "maxMigrationsPerService", "maxMigrationsTotal", "maxInstancesPerService", "maxServicesPerPlatform");
        ControlLimits d = ControlLimits.defaults();
        Duration lifetime = l.duration("maxMigrationLifetime", d.maxMigrationLifetime());
        if (lifetime.toMillis() < 1) {
            l.bad("maxMigrationLifetime", lifetime.toString(), "a duration of at least 1 ms, e.g. 1h or 600s");
            lifetime = d.maxMigrationLifetime();
        }
        return new ControlLimits((int) l.integer("minIpv4Prefix", (long) d.minIpv4Prefix(), 0, 32),
                (int) l.integer("minIpv6Prefix", (long) d.minIpv6Prefix(), 0, 128), lifetime,
                (int) l.integer("maxSubnetsPerRequest", (long) d.maxSubnetsPerRequest(), 1, 100_000),
                (int) l.integer("maxMigrationsPerService", (long) d.maxMigrationsPerService(), 1, 100_000_000),
                (int) l.integer("maxMigrationsTotal", (long) d.maxMigrationsTotal(), 1, 100_000_000),
                (int) l.integer("maxInstancesPerService", (long) d.maxInstancesPerService(), 1, 100_000_000),
                (int) l.integer("maxServicesPerPlatform", (long) d.maxServicesPerPlatform(), 1, 1_000_000));
    }

    /** The operator HTTP port: off unless {@code http.port} is set; loopback unless told otherwise. */
    private static Optional<RootConfig.Http> http(TreeReader h) {
        h.rejectUnknown("bindAddress", "port");
        String bind = h.string("bindAddress", "127.0.0.1", LITERAL);
        if (!isLiteral(bind)) {
            h.bad("bindAddress", bind, LITERAL);
        }
        if (!h.has("port")) {
            return Optional.empty();
        }
        return Optional.of(new RootConfig.Http(bind, (int) h.integer("port", 0L, 0, 65535)));
    }

    private static RootConfig.Store store(TreeReader s, Path baseDir) {
        s.rejectUnknown("path", "sync");
        String path = s.string("path", "topology.db", "a file path");
        if (path.isBlank()) {
            s.bad("path", path, "a file path (relative paths start at the config file's folder)");
            path = "topology.db";
        }
        String sync = s.string("sync", "FULL", "FULL or NORMAL").toUpperCase(Locale.ROOT);
        Sync mode = Sync.FULL;
        try {
            mode = Sync.valueOf(sync);
        } catch (IllegalArgumentException e) {
            s.bad("sync", sync, "FULL (survives power loss) or NORMAL (survives a process crash)");
        }
        return new RootConfig.Store(baseDir.resolve(path).normalize(), mode);
    }

    private static final String CLUSTER = "a mapping {id, peers: [{id, raft, control}], storage, group, snapshotEvery, "
            + "electionTimeoutMin, electionTimeoutMax, commitTimeout, logSegmentSize, tls: {key, cert, peers}}";
    private static final String HOST_PORT = "host:port with an IPv4 literal or a host name, e.g. 127.0.0.1:6001";

    /**
     * The replicated group: this root's peer id, every peer's Raft and control address, the Raft
     * storage, the Raft transport's TLS. Like the control endpoint's keys, TLS is required with
     * the {@code lan} and {@code wan} presets and whenever a peer's Raft address is beyond
     * loopback (unless an isolated testbed says {@code security.insecureClear}).
     */
    private static ClusterConfig cluster(TreeReader c, Path baseDir, String preset, boolean insecureClear) {
        c.rejectUnknown("id", "peers", "storage", "group", "snapshotEvery", "electionTimeoutMin", "electionTimeoutMax",
                "commitTimeout", "logSegmentSize", "tls");
        String self = c.string("id", "a peer id (a DNS label) listed in cluster.peers");
        List<ClusterConfig.Peer> peers = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<TreeReader> listed = c.objects("peers", "a list of {id, raft, control}");
        for (int i = 0; i < listed.size(); i++) {
            TreeReader p = listed.get(i);
            p.rejectUnknown("id", "raft", "control");
            String id = p.string("id", "a DNS label");
            if (!Names.isDnsLabel(id)) {
                p.bad("id", id, "a DNS label: 1-63 of a-z, 0-9, '-'");
            } else if (!seen.add(id)) {
                p.bad("id", id, "a peer id not listed before");
            }
            String raft = p.string("raft", HOST_PORT);
            String control = p.string("control", HOST_PORT);
            for (String[] kv : new String[][] {{"raft", raft}, {"control", control}}) {
                if (!isHostPort(kv[1])) {
                    p.bad(kv[0], kv[1], HOST_PORT);
                }
            }
            peers.add(new ClusterConfig.Peer(id, raft, control));
        }
        if (listed.isEmpty()) {
            c.bad("peers", "[]", "at least one peer (this root), normally 3 or 5");
        } else if (self != null && !seen.contains(self)) {
            c.bad("id", self, "one of the peer ids " + seen);
        }
        String storage = c.string("storage", "raft-" + self, "a folder path");
        String group = c.string("group", "tendril", "a name shared by every root of the group");
        long snapshotEvery = c.integer("snapshotEvery", 10_000L, 1, 100_000_000);
        Duration min = c.duration("electionTimeoutMin", Duration.ofMillis(300));
        Duration max = c.duration("electionTimeoutMax", Duration.ofMillis(600));
        if (min != null && max != null && (min.toMillis() < 50 || max.compareTo(min) <= 0)) {
            c.bad("electionTimeoutMax", max, "longer than electionTimeoutMin (" + min + "), which is at least 50ms");
        }
        Duration commit = c.duration("commitTimeout", Duration.ofSeconds(5));
        long segment = c.size("logSegmentSize", 8L << 20);
        if (segment < 16 << 10) {
            c.bad("logSegmentSize", segment, "at least 16KiB, e.g. 8MiB");
        }
        Optional<ClusterConfig.Tls> tls = Optional.empty();
        if (c.has("tls")) {
            tls = clusterTls(c.object("tls", false, "a mapping {key, cert, peers}"), baseDir);
        } else {
            boolean beyondLoopback = peers.stream().anyMatch(p -> !RootSecurityReader.loopback(p.raft()));
            if (!"local".equals(preset) || (beyondLoopback && !insecureClear)) {
                c.missing("tls", "the " + preset + " preset" + (beyondLoopback ? " (a peer's Raft port beyond loopback)" : "")
                        + " refuses to run the Raft transport in clear: anyone who reaches it could write into the group. "
                        + "Make a key pair with: tendrilctl keys gen-tls --out keys --name roots, give every root both "
                        + "files, then set cluster.tls: {key: keys/roots.tls.key, cert: keys/roots.crt} (see docs/security.md)");
            }
        }
        return new ClusterConfig(self, peers, baseDir.resolve(storage).normalize(), group, snapshotEvery, min, max, commit,
                segment, tls);
    }

    /** {@code cluster.tls}: this root's key and certificate files, and the certificates its peers may present (default: its own). */
    private static Optional<ClusterConfig.Tls> clusterTls(TreeReader t, Path baseDir) {
        t.rejectUnknown("key", "cert", "peers");
        String key = t.string("key", "the path of this root's TLS private key (PEM, from tendrilctl keys gen-tls)");
        String cert = t.string("cert", "the path of this root's certificate (PEM, from tendrilctl keys gen-tls)");
        if (key == null || cert == null) {
            return Optional.empty();
        }
        TlsKeyFiles.Identity identity;
        try {
            identity = TlsKeyFiles.read(baseDir.resolve(key).normalize(), baseDir.resolve(cert).normalize());
        } catch (KeyFileException e) {
            t.bad("key", key, "a TLS key file (owner-only) and its certificate file (" + e.getMessage() + ")");
            return Optional.empty();
        }
        if (!t.has("peers")) { // the group shares this root's pair
            return Optional.of(new ClusterConfig.Tls(identity.key(), identity.certificate(), List.of(identity.certificate())));
        }
        List<X509Certificate> pinned = new ArrayList<>();
        List<String> listed = t.strings("peers", "a list of certificate files (PEM)");
        for (String file : listed) {
            try {
                pinned.addAll(TlsKeyFiles.readCertificates(baseDir.resolve(file).normalize()));
            } catch (KeyFileException e) {
                t.bad("peers", file, "a certificate file (PEM) of a peer (" + e.getMessage() + ")");
            }
        }
        if (pinned.stream().noneMatch(p -> p.equals(identity.certificate()))) {
            t.bad("peers", listed, "a list that holds this root's own certificate " + cert
                    + " too (the roots connect to each other both ways)");
        }
        return Optional.of(new ClusterConfig.Tls(identity.key(), identity.certificate(), pinned));
    }

    private static boolean isHostPort(String s) {
        if (s == null) {
            return false;
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || s.indexOf(':') != colon) {
            return false;
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            return port > 0 && port <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static List<String> geoip(TreeReader g, Path baseDir) {
        g.rejectUnknown("databases");
        if (!g.has("databases")) {
            return List.of(RootConfig.BUILTIN_DEMO_GEOIP);
        }
        List<String> out = new ArrayList<>();
        List<String> given = g.strings("databases", "builtin:demo or .mmdb file paths");
        for (int i = 0; i < given.size(); i++) {
            String db = given.get(i);
            if (db.equals(RootConfig.BUILTIN_DEMO_GEOIP)) {
                out.add(db);
                continue;
            }
            Path p = baseDir.resolve(db).normalize();
            if (!Files.isRegularFile(p)) {
                g.bad("databases[" + i + "]", db, RootConfig.BUILTIN_DEMO_GEOIP
                        + " or an existing .mmdb file (scripts/fetch-geoip.sh fetches a public one)");
            }
            out.add(p.toString());
        }
        return out;
    }

    private static boolean isLiteral(String s) {
        try {
            Cidr c = Cidr.parse(s);
            return c.prefixLength() == (c.isIpv6() ? 128 : 32) && s.indexOf('/') < 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Validated<RootConfig> invalid(String message) {
        return new Validated.Invalid<>(List.of(message));
    }
}
