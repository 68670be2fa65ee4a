package dev.tendril.root.bootstrap;

import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.geoip.domain.SwappableGeoLocator;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.root.adapter.in.control.RootControlEndpoint;
import dev.tendril.root.adapter.in.dns.DnsServer;
import dev.tendril.root.adapter.out.metrics.PrometheusRootMetrics;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.protocol.http.StatusServer;
import dev.tendril.root.application.ControlDispatcher;
import dev.tendril.root.application.DeferredDirectory;
import dev.tendril.root.application.GroupCommitter;
import dev.tendril.root.application.PreviewResolution;
import dev.tendril.root.application.PurgeExpiredMigrations;
import dev.tendril.root.application.RecoverDirectory;
import dev.tendril.root.application.ResolveService;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.protocol.message.AdminMessage.Figure;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ServerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A running root, wired by hand: topology repository -> recovery into the in-memory
 * directory -> writer (group commit) -> control endpoint, and the DNS front end over the
 * same directory. {@link #close()} stops them in the reverse order.
 */
public final class RootProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RootProcess.class);

    private final RootConfig config;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private SpatialiteTopologyRepository repository;
    private GroupCommitter committer;
    private volatile RootControlEndpoint control;
    private volatile DnsServer dns;
    private RecoverDirectory.Recovered recovered;
    private boolean closed;
    private String stages = "";
    private StatusServer http;
    private SwappableGeoLocator geo;
    private volatile long geoReloads;
    private volatile long geoReloadsRefused;
    private volatile String notReady = "starting";

    private RootProcess(RootConfig config) {
        this.config = config;
    }

    /** Opens and starts everything; on failure closes what was opened and rethrows. */
    public static RootProcess start(RootConfig config, Clock clock) {
        RootProcess root = new RootProcess(config);
        try {
            root.startAll(clock);
            return root;
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    private void startAll(Clock clock) {
        long t0 = System.nanoTime();
        PrometheusRootMetrics metrics = config.http().map(h -> startHttp(h)).orElse(null);
        notReady = "opening the topology database";
        repository = track(SpatialiteTopologyRepository.open(config.store().path(), config.store().sync()));
        long t1 = System.nanoTime();
        notReady = "loading the topology into the DNS directory";
        SpatialInstanceDirectory directory = new SpatialInstanceDirectory(clock);
        recovered = new RecoverDirectory(repository, clock).into(directory);
        long t2 = System.nanoTime();
        geo = track(new SwappableGeoLocator(geoLocator(config.geoipDatabases())));
        ResolveService resolver = new ResolveService(directory, geo, clock, config.dns().resolvePolicy());
        DeferredDirectory deferred = new DeferredDirectory();
        ControlDispatcher dispatcher = new ControlDispatcher(repository, deferred, clock, config.fanOut(),
                new PreviewResolution(resolver));
        committer = track(new GroupCommitter(config.id(), repository, deferred, directory, dispatcher,
                new PurgeExpiredMigrations(repository, deferred, clock), config.control().purgeEvery(),
                config.control().maxBatch()).start());
        control = track(RootControlEndpoint.start(config.id(), config.control().bindAddress(), config.control().port(),
                config.control().handlerThreads(), committer, this::stats, this::reloadReply, clock));
        dns = track(new DnsServer(config.dns(), directory, geo, clock).start());
        long t3 = System.nanoTime();
        if (metrics != null) {
            metrics.bindDns(dns.metrics());
            metrics.bindControl(control::stats, committer);
            metrics.bindDirectory(directory);
        }
        notReady = null; // DNS listens and the state is loaded
        stages = String.format(java.util.Locale.ROOT, "database %d ms, recovery %d ms, endpoints %d ms",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
    }

    /** Starts the operator HTTP port first, so /readyz answers 503 while the rest starts. */
    private PrometheusRootMetrics startHttp(RootConfig.Http h) {
        PrometheusRootMetrics metrics = new PrometheusRootMetrics(config.id());
        http = track(StatusServer.start(config.id(), "http.port", h.bindAddress(), h.port(), metrics::scrape,
                () -> java.util.Optional.ofNullable(notReady)));
        return metrics;
    }

    /**
     * Re-reads the configured GeoIP databases (SIGHUP) and swaps them in without stopping DNS:
     * queries in flight finish on the old databases, which are closed {@link #GEOIP_RETIRE_AFTER}
     * later. A database that cannot be opened (missing, unreadable, not a city .mmdb) refuses
     * the whole reload: the databases in use stay, with one ERROR line. Replace a file by
     * writing a new one and renaming it over the old (never rewrite it in place).
     *
     * @return true when the new databases answer now
     */
    public synchronized boolean reloadGeoIp() {
        if (closed) {
            return false;
        }
        LayeredGeoLocator next;
        try {
            next = geoLocator(config.geoipDatabases());
        } catch (RuntimeException e) {
            log.error("{}: GeoIP reload refused, the databases in use stay: {}", config.id(), e.getMessage());
            geoReloadsRefused++;
            return false;
        }
        LayeredGeoLocator old = geo.swap(next);
        java.util.concurrent.CompletableFuture.delayedExecutor(GEOIP_RETIRE_AFTER.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS).execute(old::close);
        geoReloads++;
        log.info("{}: GeoIP databases reloaded: {}", config.id(), config.geoipDatabases());
        return true;
    }

    /** The counters of DNS, the control endpoint and the writer, for {@code tendrilctl root stats}. */
    private RootMessage stats() {
        List<Figure> out = new ArrayList<>();
        DnsServer d = dns;
        if (d != null) {
            d.metrics().snapshot().forEach((k, v) -> out.add(new Figure("dns." + k, Long.toString(v))));
        }
        RootControlEndpoint endpoint = control; // null only while the endpoint itself starts
        if (endpoint != null) {
            ServerStats c = endpoint.stats();
            out.add(new Figure("control.received", Long.toString(c.received())));
            out.add(new Figure("control.handled", Long.toString(c.handled())));
            out.add(new Figure("control.duplicates", Long.toString(c.duplicates())));
            out.add(new Figure("control.dropped", Long.toString(c.dropped())));
            out.add(new Figure("control.overloaded", Long.toString(c.overloaded())));
        }
        out.add(new Figure("writer.requests", Long.toString(committer.requests())));
        out.add(new Figure("writer.transactions", Long.toString(committer.batches())));
        out.add(new Figure("geoip.reloads", Long.toString(geoReloads)));
        out.add(new Figure("geoip.reloadsRefused", Long.toString(geoReloadsRefused)));
        return new RootMessage.RootStats(config.id(), out);
    }

    /** {@code tendrilctl root reload}: as SIGHUP, answered Ack or an error naming the refusal. */
    private RootMessage reloadReply() {
        return reloadGeoIp() ? new RootMessage.Ack()
                : new RootMessage.ErrorReply(dev.tendril.root.application.ControlErrors.RELOAD_REFUSED, "the GeoIP databases were not reloaded (see the root's log);"
                        + " the databases in use stay");
    }

    /** How long a replaced GeoIP locator stays open for the lookups that started on it. */
    static final java.time.Duration GEOIP_RETIRE_AFTER = java.time.Duration.ofSeconds(5);

    /** The operator HTTP port's URL authority ({@code host:port}), when configured. */
    public java.util.Optional<String> httpAuthority() {
        return java.util.Optional.ofNullable(http).map(StatusServer::authority);
    }

    /** How long the start stages took, for the ready line. */
    public String stages() {
        return stages;
    }

    /** The configured GeoIP databases as one layered locator, first hit wins. */
    static LayeredGeoLocator geoLocator(List<String> databases) {
        List<GeoLocator> layers = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (String db : databases) {
            if (db.equals(RootConfig.BUILTIN_DEMO_GEOIP)) {
                if (!files.isEmpty()) {
                    layers.add(GeoDatabases.open(List.copyOf(files)));
                    files.clear();
                }
                layers.add(GeoDatabases.demo());
            } else {
                files.add(Path.of(db));
            }
        }
        if (!files.isEmpty()) {
            layers.add(GeoDatabases.open(files));
        }
        return new LayeredGeoLocator(layers);
    }

    private <T extends AutoCloseable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    public RootConfig config() {
        return config;
    }

    public int dnsPort() {
        return dns.port();
    }

    public int controlPort() {
        return control.port();
    }

    public String controlEndpoint() {
        return control.endpoint();
    }

    public RecoverDirectory.Recovered recovered() {
        return recovered;
    }

    public RootControlEndpoint controlEndpointAdapter() {
        return control;
    }

    public GroupCommitter writer() {
        return committer;
    }

    /** Stops DNS, the control endpoint, the writer (answering what is queued), then closes the database. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        notReady = "stopping";
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                log.warn("{}: closing {} failed", config.id(), opened.get(i).getClass().getSimpleName(), e);
            }
        }
    }
}
