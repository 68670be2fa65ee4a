package dev.tendril.root.bootstrap;

import dev.tendril.root.adapter.in.dns.DnsConfig;
import dev.tendril.root.adapter.out.ratis.ClusterConfig;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository.Sync;
import dev.tendril.root.application.ControlLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The root's whole configuration, validated (see {@link RootConfigReader} and
 * docs/configuration.md).
 *
 * @param id             this root's name (a DNS label): logs, control replies, default NSID
 * @param dns            the DNS front end
 * @param control        the control endpoint
 * @param store          the topology database
 * @param fanOut         children per tree node at most (parent assignment)
 * @param geoipDatabases GeoIP databases, first hit wins: {@code builtin:demo} or .mmdb files
 * @param http           the operator HTTP port (/metrics, /healthz, /readyz), when configured
 * @param preset         the preset the defaults came from: local, lan or wan
 * @param security       CURVE on the control endpoint and the bootstrap operators (docs/security.md)
 * @param cluster        the replicated group this root belongs to; empty: a single root (no Raft)
 */
public record RootConfig(String id, DnsConfig dns, Control control, Store store, int fanOut, List<String> geoipDatabases,
                         Optional<Http> http, String preset, Security security, Optional<ClusterConfig> cluster) {
    /** The name of the GeoIP database bundled in the geoip-data jar. */
    public static final String BUILTIN_DEMO_GEOIP = "builtin:demo";

    /**
     * @param bindAddress    address literal the ZeroMQ ROUTER binds to
     * @param port           TCP port; 0 picks a free one
     * @param handlerThreads threads that check control requests and queue them (none waits for the commit)
     * @param maxBatch       requests committed in one transaction at most
     * @param purgeEvery     how often expired migration records are dropped
     * @param limits         what one request may ask and how much state all may leave (docs/security.md)
     */
    public record Control(String bindAddress, int port, int handlerThreads, int maxBatch, Duration purgeEvery,
                          ControlLimits limits) {
        /** With the default limits. */
        public Control(String bindAddress, int port, int handlerThreads, int maxBatch, Duration purgeEvery) {
            this(bindAddress, port, handlerThreads, maxBatch, purgeEvery, ControlLimits.defaults());
        }
    }

    /**
     * @param path the SpatiaLite file (created when absent)
     * @param sync FULL: every acknowledged change survives a power cut; NORMAL: it survives a
     *             crash of the process, the last commits may be lost in a power cut
     */
    public record Store(Path path, Sync sync) {
    }

    /**
     * @param serverKeys   this root's CURVE key pair (from {@code security.serverKey}), or empty:
     *                     the control endpoint runs in clear (only the local preset on loopback)
     * @param operatorKeys bootstrap operators, name -> CURVE public key: always admitted as
     *                     operators (they enrol the platforms and further operators)
     * @param serverKeyFile the file {@code serverKeys} was read from: read again on reload
     *                     (SIGHUP, {@code tendrilctl root reload}) to rotate the key while running
     * @param insecureClear an isolated testbed runs {@code local} in clear beyond loopback on purpose
     *                     ({@code security.insecureClear}; the Raft transport's TLS follows it too)
     */
    public record Security(java.util.Optional<dev.tendril.protocol.transport.CurveKeyPair> serverKeys,
                           java.util.Map<String, String> operatorKeys, java.util.Optional<Path> serverKeyFile,
                           boolean insecureClear) {
        public Security {
            operatorKeys = java.util.Map.copyOf(operatorKeys);
        }

        public Security(java.util.Optional<dev.tendril.protocol.transport.CurveKeyPair> serverKeys,
                        java.util.Map<String, String> operatorKeys, java.util.Optional<Path> serverKeyFile) {
            this(serverKeys, operatorKeys, serverKeyFile, false);
        }

        public Security(java.util.Optional<dev.tendril.protocol.transport.CurveKeyPair> serverKeys,
                        java.util.Map<String, String> operatorKeys) {
            this(serverKeys, operatorKeys, java.util.Optional.empty());
        }

        public static Security clear() {
            return new Security(java.util.Optional.empty(), java.util.Map.of());
        }
    }

    /**
     * @param bindAddress address literal the HTTP port binds to
     * @param port        TCP port; 0 picks a free one
     */
    public record Http(String bindAddress, int port) {
    }

    public RootConfig {
        geoipDatabases = List.copyOf(geoipDatabases);
        java.util.Objects.requireNonNull(http, "http");
        security = security == null ? Security.clear() : security;
        preset = preset == null ? "local" : preset;
    }

    /** A single root (no {@code cluster:} section). */
    public RootConfig(String id, DnsConfig dns, Control control, Store store, int fanOut, List<String> geoipDatabases) {
        this(id, dns, control, store, fanOut, geoipDatabases, Optional.empty(), "local", Security.clear(), Optional.empty());
    }
}
