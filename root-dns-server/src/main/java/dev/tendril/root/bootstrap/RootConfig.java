package dev.tendril.root.bootstrap;

import dev.tendril.root.adapter.in.dns.DnsConfig;
import dev.tendril.root.adapter.out.ratis.ClusterConfig;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository.Sync;

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
 * @param cluster        the replicated group this root belongs to; empty: a single root (no Raft)
 */
public record RootConfig(String id, DnsConfig dns, Control control, Store store, int fanOut, List<String> geoipDatabases,
                         Optional<ClusterConfig> cluster) {
    /** The name of the GeoIP database bundled in the geoip-data jar. */
    public static final String BUILTIN_DEMO_GEOIP = "builtin:demo";

    /**
     * @param bindAddress    address literal the ZeroMQ ROUTER binds to
     * @param port           TCP port; 0 picks a free one
     * @param handlerThreads requests in progress at once (they are committed together)
     * @param maxBatch       requests committed in one transaction at most
     * @param purgeEvery     how often expired migration records are dropped
     */
    public record Control(String bindAddress, int port, int handlerThreads, int maxBatch, Duration purgeEvery) {
    }

    /**
     * @param path the SpatiaLite file (created when absent)
     * @param sync FULL: every acknowledged change survives a power cut; NORMAL: it survives a
     *             crash of the process, the last commits may be lost in a power cut
     */
    public record Store(Path path, Sync sync) {
    }

    public RootConfig {
        geoipDatabases = List.copyOf(geoipDatabases);
    }

    /** A single root (no {@code cluster:} section). */
    public RootConfig(String id, DnsConfig dns, Control control, Store store, int fanOut, List<String> geoipDatabases) {
        this(id, dns, control, store, fanOut, geoipDatabases, Optional.empty());
    }
}
