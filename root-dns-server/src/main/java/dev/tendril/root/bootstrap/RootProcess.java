package dev.tendril.root.bootstrap;

import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.root.adapter.in.control.RootControlEndpoint;
import dev.tendril.root.adapter.in.dns.DnsServer;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.root.application.ControlDispatcher;
import dev.tendril.root.application.DeferredDirectory;
import dev.tendril.root.application.GroupCommitter;
import dev.tendril.root.application.PreviewResolution;
import dev.tendril.root.application.PurgeExpiredMigrations;
import dev.tendril.root.application.RecoverDirectory;
import dev.tendril.root.application.ResolveService;
import dev.tendril.root.domain.SpatialInstanceDirectory;
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
    private RootControlEndpoint control;
    private DnsServer dns;
    private RecoverDirectory.Recovered recovered;
    private boolean closed;
    private String stages = "";
    private RefusalLog refusals;

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
        repository = track(SpatialiteTopologyRepository.open(config.store().path(), config.store().sync()));
        long t1 = System.nanoTime();
        SpatialInstanceDirectory directory = new SpatialInstanceDirectory(clock);
        recovered = new RecoverDirectory(repository, clock).into(directory);
        long t2 = System.nanoTime();
        LayeredGeoLocator geo = track(geoLocator(config.geoipDatabases()));
        ResolveService resolver = new ResolveService(directory, geo, clock, config.dns().resolvePolicy());
        DeferredDirectory deferred = new DeferredDirectory();
        refusals = RefusalLog.perMinute(LoggerFactory.getLogger("tendril.refusals"), clock);
        ControlDispatcher dispatcher = new ControlDispatcher(repository, deferred, clock, config.fanOut(),
                new PreviewResolution(resolver), config.control().limits(), refusals);
        committer = track(new GroupCommitter(config.id(), repository, deferred, directory, dispatcher,
                new PurgeExpiredMigrations(repository, deferred, clock), config.control().purgeEvery(),
                config.control().maxBatch()).start());
        control = track(RootControlEndpoint.start(config.id(), config.control().bindAddress(), config.control().port(),
                config.control().handlerThreads(), committer, clock, refusals));
        dns = track(new DnsServer(config.dns(), directory, geo, clock).start());
        long t3 = System.nanoTime();
        stages = String.format(java.util.Locale.ROOT, "database %d ms, recovery %d ms, endpoints %d ms",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
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

    /** Refusals of control requests, per reason. */
    public RefusalLog refusals() {
        return refusals;
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
        if (refusals != null && !refusals.counts().isEmpty()) {
            log.info("{}: control requests refused by reason: {}", config.id(), refusals.counts());
        }
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                log.warn("{}: closing {} failed", config.id(), opened.get(i).getClass().getSimpleName(), e);
            }
        }
    }
}
