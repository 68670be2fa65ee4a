package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.root.application.ResolvePolicy;
import dev.tendril.root.domain.ChoicePolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configuration of the DNS front end. Immutable; validated on construction with messages
 * that name the key, the bad value and what is allowed. Build it with {@link #builder()}.
 *
 * @param zones               zones served authoritatively, absolute names ("svc.example.edge.")
 * @param nameServers         NS names published at every apex (absolute names)
 * @param soa                 SOA fields
 * @param soaTtlSeconds       TTL of the SOA and NS records
 * @param answerTtlSeconds    TTL of service and node answers (default 10)
 * @param recordsPerAnswer    k: instances per answer (default 1)
 * @param defaultPosition     assumed position of clients that cannot be located
 * @param whenNoneLive        SERVFAIL, or LAST_KNOWN: answer the nearest known instances when none is live
 * @param nsid                NSID (RFC 5001) sent when a query asks for it; "" to send none
 * @param bindAddress         address literal to bind UDP and TCP to
 * @param port                port for both UDP and TCP; 0 picks a free one (the same for both)
 * @param maxUdpPayload       largest UDP response and the EDNS payload size advertised, in [512, 4096]
 * @param tcpIdleTimeoutSeconds a TCP connection idle this long is closed
 * @param ioThreads           event loop threads; 0 = one per CPU
 * @param version             answered to CHAOS TXT version.bind / version.server; {@value #HIDE_VERSION} refuses them
 * @param rateLimit           response rate limiting of UDP answers (RRL)
 * @param cookies             DNS cookies (RFC 7873, RFC 9018 server cookies)
 * @param tcpMaxConnections   concurrent TCP connections at most; more are closed at once (counted)
 * @param tcpMaxConnectionsPerClient concurrent TCP connections from one client address at most
 * @param udpIo               how UDP is read and written: {@link UdpIo#AUTO} (default), {@link UdpIo#MMSG}, {@link UdpIo#NETTY}
 * @param udpLanes            UDP sockets per I/O thread with batched UDP, steered by client prefix and read in turn
 *                            (1-64, default 1: one socket per thread, the kernel's flow hash spreads clients)
 * @param xdpInterfaces       network interfaces whose UDP/IPv4 queries to the port are answered through AF_XDP
 *                            ({@link XdpUdpListener}) beside the sockets; empty (default): none
 */
public record DnsConfig(List<String> zones, List<String> nameServers, Soa soa, int soaTtlSeconds,
                        int answerTtlSeconds, int recordsPerAnswer, GeoPoint defaultPosition,
                        WhenNoneLive whenNoneLive, String nsid, String bindAddress, int port,
                        int maxUdpPayload, int tcpIdleTimeoutSeconds, int ioThreads, String version,
                        RateLimit rateLimit, Cookies cookies, int tcpMaxConnections, int tcpMaxConnectionsPerClient,
                        UdpIo udpIo, int udpLanes, List<String> xdpInterfaces) {

    /**
     * UDP sockets one port may have with batched UDP ({@code ioThreads x udpLanes}): each is a
     * descriptor, a receive buffer and an entry of the port's SO_REUSEPORT group. The limit lets
     * every thread count of the range have 4 lanes, and stops a typo from opening 16,384.
     */
    public static final int MAX_UDP_SOCKETS = 1024;
    /** The {@code version} that hides the version: CHAOS version queries are REFUSED. */
    public static final String HIDE_VERSION = "hide";

    /**
     * How UDP queries are read and answered. {@code MMSG}: one thread per socket blocking in
     * {@code recvmmsg} and answering the batch with one {@code sendmmsg} (Linux, libc bound
     * through jnr-ffi); {@code NETTY}: Netty's epoll (or NIO) event loops; {@code AUTO}: MMSG
     * where it can be bound, NETTY otherwise. TCP is always served by Netty.
     */
    public enum UdpIo { AUTO, MMSG, NETTY }

    /** What to answer for a service none of whose instances is live. */
    public enum WhenNoneLive { SERVFAIL, LAST_KNOWN }

    /**
     * SOA fields. {@code primary} "" means the first name server; {@code minimum} is the
     * negative-caching TTL (NXDOMAIN/NODATA are cached for min(soaTtl, minimum)).
     */
    public record Soa(String primary, String admin, long serial, int refresh, int retry, int expire, int minimum) {
        public Soa {
            primary = primary == null || primary.isEmpty() ? "" : absoluteName("dns.soa.primary", primary);
            admin = absoluteName("dns.soa.admin", admin);
            if (serial < 0 || serial > 0xFFFFFFFFL) {
                throw bad("dns.soa.serial", serial, "an unsigned 32-bit number");
            }
            requireRange("dns.soa.refresh", refresh, 1, Integer.MAX_VALUE);
            requireRange("dns.soa.retry", retry, 1, Integer.MAX_VALUE);
            requireRange("dns.soa.expire", expire, 1, Integer.MAX_VALUE);
            requireRange("dns.soa.minimum", minimum, 0, 86400);
        }

        public static Soa defaults() {
            return new Soa("", "hostmaster.invalid.", 1, 3600, 600, 604800, 10);
        }
    }

    /**
     * Response rate limiting (RRL) of UDP answers; TCP is never limited. Rates are responses
     * per second per (client prefix, kind): a name and type for answers and NODATA, the zone
     * for NXDOMAIN, all errors together. 0 means that kind is not limited.
     *
     * @param enabled            off: every answer is sent
     * @param responsesPerSecond answers and NODATA per prefix, name and type
     * @param nxdomainsPerSecond NXDOMAIN per prefix and zone
     * @param errorsPerSecond    REFUSED, FORMERR, SERVFAIL, NOTIMP, ... per prefix
     * @param windowSeconds      how many seconds of debt a flooding prefix can run up (how long it stays limited)
     * @param slip               every slip-th limited response is sent truncated (TC) instead of dropped; 0 never
     * @param ipv4PrefixLength   IPv4 clients are counted per network of this length
     * @param ipv6PrefixLength   IPv6 clients are counted per network of this length (at most 64)
     * @param exempt             client networks (CIDR) never limited
     * @param tableSize          entries in the fixed-size table of buckets (rounded up to a power of two; 16 bytes each)
     * @param quarantineNetworks limited networks whose UDP datagrams go to a socket and thread of their own, at most
     *                           (batched UDP with one lane only); 0 none
     */
    public record RateLimit(boolean enabled, int responsesPerSecond, int nxdomainsPerSecond, int errorsPerSecond,
                            int windowSeconds, int slip, int ipv4PrefixLength, int ipv6PrefixLength,
                            List<String> exempt, int tableSize, int quarantineNetworks) {
        public RateLimit {
            requireRange("dns.rateLimit.responsesPerSecond", responsesPerSecond, 0, 100_000);
            requireRange("dns.rateLimit.nxdomainsPerSecond", nxdomainsPerSecond, 0, 100_000);
            requireRange("dns.rateLimit.errorsPerSecond", errorsPerSecond, 0, 100_000);
            requireRange("dns.rateLimit.windowSeconds", windowSeconds, 1, 300);
            requireRange("dns.rateLimit.slip", slip, 0, 10);
            requireRange("dns.rateLimit.ipv4PrefixLength", ipv4PrefixLength, 8, 32);
            requireRange("dns.rateLimit.ipv6PrefixLength", ipv6PrefixLength, 16, 64);
            requireRange("dns.rateLimit.tableSize", tableSize, 1024, 1 << 24);
            requireRange("dns.rateLimit.quarantineNetworks", quarantineNetworks, 0, 64);
            if (exempt == null) {
                throw bad("dns.rateLimit.exempt", null, "a list of networks, e.g. [10.0.0.0/8, 2001:db8::/32]");
            }
            exempt = List.copyOf(exempt);
            for (String e : exempt) {
                try {
                    dev.tendril.protocol.net.Cidr.parse(e);
                } catch (IllegalArgumentException ex) {
                    throw bad("dns.rateLimit.exempt", e, "networks such as 10.0.0.0/8 or 2001:db8::/32 (" + ex.getMessage() + ")");
                }
            }
        }

        /**
         * Off; when switched on: 200 answers/s, 200 NXDOMAIN/s, 200 errors/s per /24 or /56,
         * window 15 s, slip 2, 65,536 entries, up to 16 limited networks in quarantine.
         */
        public static RateLimit defaults() {
            return new RateLimit(false, 200, 200, 200, 15, 2, 24, 56, List.of(), 65_536, 16);
        }

        public RateLimit withEnabled(boolean on) {
            return new RateLimit(on, responsesPerSecond, nxdomainsPerSecond, errorsPerSecond, windowSeconds, slip,
                    ipv4PrefixLength, ipv6PrefixLength, exempt, tableSize, quarantineNetworks);
        }
    }

    /**
     * DNS cookies: a query with a client cookie gets a server cookie (RFC 9018); a query with
     * a valid server cookie is exempt from the rate limit.
     *
     * @param enabled off: cookie options are ignored
     * @param secret  32 hex digits (16 bytes), the same on every root that should accept the
     *                others' cookies; "" = a random secret at each start
     */
    public record Cookies(boolean enabled, String secret) {
        public Cookies {
            secret = secret == null ? "" : secret.toLowerCase(Locale.ROOT);
            if (!secret.isEmpty() && !secret.matches("[0-9a-f]{32}")) {
                throw bad("dns.cookies.secret", "(" + secret.length() + " characters, not shown)",
                        "32 hex digits (16 bytes, e.g. from: openssl rand -hex 16), or \"\" for a random secret at each start");
            }
        }

        public static Cookies defaults() {
            return new Cookies(true, "");
        }

        @Override
        public String toString() {
            return "Cookies[enabled=" + enabled + ", secret=" + (secret.isEmpty() ? "random" : "set") + "]";
        }
    }

    private static final Pattern INTERFACE_NAME = Pattern.compile("[^/:\\s]{1,15}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");

    public DnsConfig {
        zones = normaliseNames("dns.zones", zones);
        if (zones.isEmpty()) {
            throw bad("dns.zones", "[]", "at least one zone, e.g. svc.example.edge.");
        }
        for (int i = 0; i < zones.size(); i++) {
            if (zones.indexOf(zones.get(i)) != i) {
                throw bad("dns.zones", zones, "distinct zones; '" + zones.get(i) + "' is listed twice");
            }
        }
        nameServers = normaliseNames("dns.nameServers", nameServers);
        if (nameServers.isEmpty()) {
            throw bad("dns.nameServers", "[]", "at least one name server name, e.g. ns1.example.net.");
        }
        Objects.requireNonNull(soa, "dns.soa must be given");
        requireRange("dns.soaTtlSeconds", soaTtlSeconds, 0, 604800);
        requireRange("dns.answerTtlSeconds", answerTtlSeconds, 1, 86400);
        requireRange("dns.recordsPerAnswer", recordsPerAnswer, 1, 64);
        if (defaultPosition == null) {
            throw bad("dns.defaultPosition", null, "a position {latitude, longitude}");
        }
        if (whenNoneLive == null) {
            throw bad("dns.whenNoneLive", null, "SERVFAIL or LAST_KNOWN");
        }
        nsid = nsid == null ? "" : nsid;
        if (nsid.length() > 255 || !nsid.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw bad("dns.nsid", nsid, "at most 255 printable ASCII characters");
        }
        if (bindAddress == null || !isLiteral(bindAddress)) {
            throw bad("dns.bindAddress", bindAddress, "an IPv4 or IPv6 address literal, e.g. 127.0.0.1, 0.0.0.0 or ::");
        }
        requireRange("dns.port", port, 0, 65535);
        requireRange("dns.maxUdpPayload", maxUdpPayload, 512, 4096);
        requireRange("dns.tcpIdleTimeoutSeconds", tcpIdleTimeoutSeconds, 1, 3600);
        requireRange("dns.ioThreads", ioThreads, 0, 256);
        version = version == null ? HIDE_VERSION : version;
        if (version.isEmpty() || version.length() > 255 || !version.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw bad("dns.version", version, "1-255 printable ASCII characters, or '" + HIDE_VERSION + "' to refuse version queries");
        }
        Objects.requireNonNull(rateLimit, "dns.rateLimit must be given");
        Objects.requireNonNull(cookies, "dns.cookies must be given");
        requireRange("dns.tcpMaxConnections", tcpMaxConnections, 1, 1_000_000);
        requireRange("dns.tcpMaxConnectionsPerClient", tcpMaxConnectionsPerClient, 1, tcpMaxConnections);
        if (udpIo == null) {
            throw bad("dns.udpIo", null, "AUTO, MMSG or NETTY");
        }
        requireRange("dns.udpLanes", udpLanes, 1, 64);
        if (ioThreads > 0 && ioThreads * udpLanes > MAX_UDP_SOCKETS) {
            throw bad("dns.udpLanes", udpLanes, "at most " + Math.max(1, MAX_UDP_SOCKETS / ioThreads) + " with dns.ioThreads "
                    + ioThreads + " (dns.ioThreads x dns.udpLanes UDP sockets, at most " + MAX_UDP_SOCKETS + ")");
        }
        if (udpLanes > 1 && udpIo == UdpIo.NETTY) {
            throw bad("dns.udpLanes", udpLanes, "1 with dns.udpIo NETTY (lanes need the batched UDP loop: AUTO or MMSG)");
        }
        xdpInterfaces = List.copyOf(Objects.requireNonNull(xdpInterfaces, "dns.xdpInterfaces"));
        for (String name : xdpInterfaces) {
            if (!INTERFACE_NAME.matcher(name).matches()) {
                throw bad("dns.xdpInterfaces", name, "an interface name: 1-15 characters, no '/', ':' or white space");
            }
        }
        if (xdpInterfaces.size() != xdpInterfaces.stream().distinct().count()) {
            throw bad("dns.xdpInterfaces", xdpInterfaces, "each interface once");
        }
        if (!xdpInterfaces.isEmpty() && bindAddress.contains(":") && !bindAddress.equals("::")) {
            throw bad("dns.xdpInterfaces", xdpInterfaces, "empty with an IPv6 dns.bindAddress (XDP answers IPv4 only)");
        }
    }

    /** The text for CHAOS version queries, or empty when hidden. */
    public java.util.Optional<String> versionText() {
        return HIDE_VERSION.equals(version) ? java.util.Optional.empty() : java.util.Optional.of(version);
    }

    /** The primary name server of the SOA. */
    public String soaPrimary() {
        return soa.primary().isEmpty() ? nameServers.get(0) : soa.primary();
    }

    /** Negative-caching TTL. */
    public int negativeTtlSeconds() {
        return Math.min(soaTtlSeconds, soa.minimum());
    }

    /** The choice and TTL rules, for {@link dev.tendril.root.application.ResolveService}. */
    public ResolvePolicy resolvePolicy() {
        return new ResolvePolicy(answerTtlSeconds,
                new ChoicePolicy(recordsPerAnswer, defaultPosition, whenNoneLive == WhenNoneLive.LAST_KNOWN));
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: zone svc.example.edge., NS ns1.example.net., TTL 10 s, k = 1, default position Frankfurt, SERVFAIL, 127.0.0.1:5353. */
    public static final class Builder {
        private List<String> zones = List.of("svc.example.edge.");
        private List<String> nameServers = List.of("ns1.example.net.");
        private Soa soa = Soa.defaults();
        private int soaTtlSeconds = 3600;
        private int answerTtlSeconds = 10;
        private int recordsPerAnswer = 1;
        private GeoPoint defaultPosition = new GeoPoint(50.11, 8.68);
        private WhenNoneLive whenNoneLive = WhenNoneLive.SERVFAIL;
        private String nsid = "";
        private String bindAddress = "127.0.0.1";
        private int port = 5353;
        private int maxUdpPayload = 1232;
        private int tcpIdleTimeoutSeconds = 10;
        private int ioThreads = 0;
        private String version = "tendril";
        private RateLimit rateLimit = RateLimit.defaults();
        private Cookies cookies = Cookies.defaults();
        private int tcpMaxConnections = 1024;
        private int tcpMaxConnectionsPerClient = 32;
        private UdpIo udpIo = UdpIo.AUTO;
        private int udpLanes = 1;
        private List<String> xdpInterfaces = List.of();

        private Builder() {
        }

        private Builder(DnsConfig c) {
            zones = c.zones;
            nameServers = c.nameServers;
            soa = c.soa;
            soaTtlSeconds = c.soaTtlSeconds;
            answerTtlSeconds = c.answerTtlSeconds;
            recordsPerAnswer = c.recordsPerAnswer;
            defaultPosition = c.defaultPosition;
            whenNoneLive = c.whenNoneLive;
            nsid = c.nsid;
            bindAddress = c.bindAddress;
            port = c.port;
            maxUdpPayload = c.maxUdpPayload;
            tcpIdleTimeoutSeconds = c.tcpIdleTimeoutSeconds;
            ioThreads = c.ioThreads;
            version = c.version;
            rateLimit = c.rateLimit;
            cookies = c.cookies;
            tcpMaxConnections = c.tcpMaxConnections;
            tcpMaxConnectionsPerClient = c.tcpMaxConnectionsPerClient;
            udpIo = c.udpIo;
            udpLanes = c.udpLanes;
            xdpInterfaces = c.xdpInterfaces;
        }

        public Builder zones(List<String> v) { zones = v; return this; }
        public Builder nameServers(List<String> v) { nameServers = v; return this; }
        public Builder soa(Soa v) { soa = v; return this; }
        public Builder soaTtlSeconds(int v) { soaTtlSeconds = v; return this; }
        public Builder answerTtlSeconds(int v) { answerTtlSeconds = v; return this; }
        public Builder recordsPerAnswer(int v) { recordsPerAnswer = v; return this; }
        public Builder defaultPosition(GeoPoint v) { defaultPosition = v; return this; }
        public Builder whenNoneLive(WhenNoneLive v) { whenNoneLive = v; return this; }
        public Builder nsid(String v) { nsid = v; return this; }
        public Builder bindAddress(String v) { bindAddress = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder maxUdpPayload(int v) { maxUdpPayload = v; return this; }
        public Builder tcpIdleTimeoutSeconds(int v) { tcpIdleTimeoutSeconds = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder version(String v) { version = v; return this; }
        public Builder rateLimit(RateLimit v) { rateLimit = v; return this; }
        public Builder cookies(Cookies v) { cookies = v; return this; }
        public Builder tcpMaxConnections(int v) { tcpMaxConnections = v; return this; }
        public Builder tcpMaxConnectionsPerClient(int v) { tcpMaxConnectionsPerClient = v; return this; }
        public Builder udpIo(UdpIo v) { udpIo = v; return this; }
        public Builder udpLanes(int v) { udpLanes = v; return this; }
        public Builder xdpInterfaces(List<String> v) { xdpInterfaces = v; return this; }

        public DnsConfig build() {
            return new DnsConfig(zones, nameServers, soa, soaTtlSeconds, answerTtlSeconds, recordsPerAnswer,
                    defaultPosition, whenNoneLive, nsid, bindAddress, port, maxUdpPayload, tcpIdleTimeoutSeconds,
                    ioThreads, version, rateLimit, cookies, tcpMaxConnections, tcpMaxConnectionsPerClient, udpIo, udpLanes, xdpInterfaces);
        }
    }

    private static List<String> normaliseNames(String key, List<String> names) {
        if (names == null) {
            throw bad(key, null, "a list of absolute DNS names");
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(absoluteName(key, n));
        }
        return List.copyOf(out);
    }

    /** Lower case, with the trailing dot; throws naming the key when not a valid name. */
    static String absoluteName(String key, String name) {
        if (name == null || name.isBlank()) {
            throw bad(key, name, "a DNS name such as svc.example.edge.");
        }
        String n = name.toLowerCase(Locale.ROOT);
        n = n.endsWith(".") ? n : n + ".";
        if (n.length() > 254 || n.equals(".")) {
            throw bad(key, name, "a DNS name of at most 253 characters, not the root");
        }
        for (String label : n.substring(0, n.length() - 1).split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw bad(key, name, "labels of 1-63 letters, digits, '-' or '_', not starting or ending with '-'");
            }
        }
        return n;
    }

    private static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw bad(key, value, "a number in [" + min + ", " + max + "]");
        }
    }

    private static IllegalArgumentException bad(String key, Object value, String allowed) {
        return new IllegalArgumentException(key + ": got '" + value + "', allowed: " + allowed);
    }

    private static boolean isLiteral(String s) {
        try {
            dev.tendril.protocol.net.Cidr.parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
