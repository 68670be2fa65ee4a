package dev.tendril.root.bootstrap;

import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.geoip.domain.SwappableGeoLocator;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.root.adapter.in.control.RootControlEndpoint;
import dev.tendril.root.adapter.in.dns.DnsServer;
import dev.tendril.root.adapter.out.metrics.PrometheusRootMetrics;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.adapter.out.ratis.ClusterConfig;
import dev.tendril.root.adapter.out.ratis.RatisTopologyLog;
import dev.tendril.root.adapter.out.ratis.TopologyStateMachine;
import dev.tendril.root.adapter.out.sqlite.SpatialiteTopologyRepository;
import dev.tendril.protocol.http.StatusServer;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.root.adapter.out.sqlite.SqliteKeyStore;
import dev.tendril.root.application.security.ControlPolicy;
import dev.tendril.root.application.security.KeyEnrolment;
import dev.tendril.root.domain.TreeNode;
import dev.tendril.root.application.ControlDispatcher;
import dev.tendril.root.application.ControlErrors;
import dev.tendril.root.application.DeferredDirectory;
import dev.tendril.root.application.GroupCommitter;
import dev.tendril.root.application.LogClock;
import dev.tendril.root.application.PreviewResolution;
import dev.tendril.root.application.PurgeExpiredMigrations;
import dev.tendril.root.application.RecoverDirectory;
import dev.tendril.root.application.ReplicatedControl;
import dev.tendril.root.application.port.in.RootControl;
import dev.tendril.root.application.ResolveService;
import dev.tendril.root.application.SingleRootControl;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.protocol.message.AdminMessage.Figure;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ServerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Optional;
import dev.tendril.protocol.transport.CurveKeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A running root, wired by hand: topology repository -> recovery into the in-memory
 * directory -> writer (group commit) -> control endpoint, and the DNS front end over the
 * same directory. {@link #close()} stops them in the reverse order.
 *
 * <p>With a {@code cluster:} section the root is a member of a Raft group: changes go through
 * the Raft log ({@link RatisTopologyLog}) and the writer applies the committed entries; its
 * database then syncs NORMAL (the Raft log is what survives a power cut).
 */
public final class RootProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RootProcess.class);
    /** After the start, when the root rehearses a replication's first answers ({@link RootWarmUp}). */
    static final java.time.Duration WARM_UP_DELAY = java.time.Duration.ofSeconds(1);

    private final RootConfig config;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private SpatialiteTopologyRepository repository;
    private GroupCommitter committer;
    private volatile dev.tendril.root.application.RegistrationWatches watches;
    private RatisTopologyLog raft;
    private volatile RootControlEndpoint control;
    /** Starts the control endpoint on a port with a server key (or in clear); kept to rotate the key. */
    private java.util.function.BiFunction<Integer, Optional<CurveKeyPair>, RootControlEndpoint> controlStarter;
    private Optional<CurveKeyPair> serverKeys = Optional.empty();
    private SqliteKeyStore keyStore;
    private KeyEnrolment keys;
    private volatile DnsServer dns;
    private RecoverDirectory.Recovered recovered;
    private volatile boolean closed;
    private String stages = "";
    private StatusServer http;
    private SwappableGeoLocator geo;
    private volatile long geoReloads;
    private volatile long geoReloadsRefused;
    private volatile String notReady = "starting";
    private dev.tendril.root.adapter.in.http.MapPages mapPages;
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
        PrometheusRootMetrics metrics = config.http().map(h -> startHttp(h)).orElse(null);
        notReady = "opening the topology database";
        repository = track(SpatialiteTopologyRepository.open(config.store().path(),
                config.cluster().isPresent() ? SpatialiteTopologyRepository.Sync.NORMAL : config.store().sync()));
        long t1 = System.nanoTime();
        notReady = "loading the topology into the DNS directory";
        SpatialInstanceDirectory directory = new SpatialInstanceDirectory(clock);
        recovered = new RecoverDirectory(repository, clock).into(directory);
        long t2 = System.nanoTime();
        geo = track(new SwappableGeoLocator(geoLocator(config.geoipDatabases())));
        ResolveService resolver = new ResolveService(directory, geo, clock, config.dns().resolvePolicy());
        DeferredDirectory deferred = new DeferredDirectory();
        refusals = RefusalLog.perMinute(LoggerFactory.getLogger("tendril.refusals"), clock);
        RootControl handler;
        if (config.cluster().isEmpty()) {
            ControlDispatcher dispatcher = new ControlDispatcher(repository, deferred, clock, config.fanOut(),
                    new PreviewResolution(resolver), config.control().limits(), refusals);
            committer = track(new GroupCommitter(config.id(), repository, deferred, directory, dispatcher,
                    new PurgeExpiredMigrations(repository, deferred, clock), config.control().purgeEvery(),
                    config.control().maxBatch()).start());
            handler = new SingleRootControl(committer, this::singleRootStatus);
        } else {
            handler = startReplicated(config.cluster().get(), directory, deferred, resolver, clock);
        }
        if (keys == null) { // a single root: its own connection to the key table, enrolment answered at once
            keyStore = track(SqliteKeyStore.open(config.store().path(), config.store().sync()));
            keys = new KeyEnrolment(config.id(), keyStore, config.security().operatorKeys(), clock);
        }
        ControlPolicy policy = new ControlPolicy((service, nodeId) -> repository.node(service, nodeId).map(TreeNode::parentId),
                (service, nodeId) -> directory.service(service).map(view -> view.instances().get(nodeId) != null).orElse(false));
        if (config.security().serverKeys().isEmpty()) {
            log.warn("{}: control endpoint {} runs in CLEAR (no security.serverKey): any local process may change DNS "
                    + "answers; only the local preset on loopback allows this (see docs/security.md)", config.id(),
                    config.control().bindAddress());
        }
        // the live map's events: recorded after each answered write, without touching the use cases
        var events = new dev.tendril.root.application.map.RecentEvents(dev.tendril.root.application.map.RecentEvents.DEFAULT_CAPACITY);
        RootControl recording = new dev.tendril.root.application.map.EventRecordingControl(handler, events, clock);
        // a replication's origin learns of its replica's registration from here (docs/protocol.md, RegistrationWatch)
        watches = track(new dev.tendril.root.application.RegistrationWatches(config.id()));
        committer.onApplied(watches);
        RootControl watching = new dev.tendril.root.application.RegistrationWatchingControl(recording, watches);
        KeyEnrolment enrolment = keys;
        controlStarter = (port, serverKey) -> RootControlEndpoint.start(config.id(), config.control().bindAddress(), port,
                config.control().handlerThreads(), watching, this::stats, this::reloadReply, serverKey, enrolment, policy,
                clock, refusals);
        serverKeys = config.security().serverKeys();
        control = track(controlStarter.apply(config.control().port(), serverKeys));
        dns = track(new DnsServer(config.dns(), directory, geo, clock).start());
        long t3 = System.nanoTime();
        if (mapPages != null) {
            mapPages.attach(new dev.tendril.root.application.map.DescribeMap(config.id(), committer, geo, events, clock));
        }
        if (metrics != null) {
            metrics.bindDns(dns.metrics());
            metrics.bindControl(() -> control.stats(), committer); // the endpoint in use (a key rotation replaces it)
            metrics.bindDirectory(directory);
            metrics.bindKeys(keys);
            metrics.bindWatches(watches);
            if (raft != null) {
                metrics.bindRaft(raft);
            }
        }
        notReady = null; // DNS listens and the state is loaded
        RootWarmUp.startAfter(WARM_UP_DELAY, config.id(), config.fanOut(), RootWarmUp.CHANGE_ROUNDS, () -> closed);
        stages = String.format(java.util.Locale.ROOT, "database %d ms, recovery %d ms, endpoints %d ms",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
    }

    /** Starts the operator HTTP port first, so /readyz answers 503 while the rest starts. */
    private PrometheusRootMetrics startHttp(RootConfig.Http h) {
        PrometheusRootMetrics metrics = new PrometheusRootMetrics(config.id());
        mapPages = new dev.tendril.root.adapter.in.http.MapPages(config.id());
        http = track(StatusServer.start(config.id(), "http.port", h.bindAddress(), h.port(), metrics::scrape,
                () -> java.util.Optional.ofNullable(notReady), mapPages));
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
            out.add(new Figure("control.handledInline", Long.toString(c.inline())));
            out.add(new Figure("control.duplicates", Long.toString(c.duplicates())));
            out.add(new Figure("control.dropped", Long.toString(c.dropped())));
            out.add(new Figure("control.overloaded", Long.toString(c.overloaded())));
            out.add(new Figure("control.refused_connections", Long.toString(c.refusedConnections())));
            out.add(new Figure("control.refused_keys", Long.toString(c.refusedKeys())));
            out.add(new Figure("control.forbidden", Long.toString(c.forbidden())));
            out.add(new Figure("control.failed_handshakes", Long.toString(c.failedHandshakes())));
        }
        RatisTopologyLog r = raft;
        if (r != null) {
            out.add(new Figure("raft.refused_peers", Long.toString(r.refusedPeers())));
            out.add(new Figure("raft.forbidden_calls", Long.toString(r.forbiddenCalls())));
        }
        out.add(new Figure("writer.requests", Long.toString(committer.requests())));
        out.add(new Figure("writer.transactions", Long.toString(committer.batches())));
        var w = watches;
        if (w != null) {
            out.add(new Figure("watches.held", Integer.toString(w.size())));
            out.add(new Figure("watches.answered", Long.toString(w.answered())));
            out.add(new Figure("watches.expired", Long.toString(w.expired())));
            out.add(new Figure("watches.notHeld", Long.toString(w.refused())));
        }
        out.add(new Figure("geoip.reloads", Long.toString(geoReloads)));
        out.add(new Figure("geoip.reloadsRefused", Long.toString(geoReloadsRefused)));
        return new RootMessage.RootStats(config.id(), out);
    }

    /**
     * Re-reads {@code security.serverKey}; when the file now holds another key pair, the control
     * endpoint is started again on the same port with it (DNS is not touched). Connections made
     * with the old key are dropped; clients that list the new key (edges: {@code
     * security.nextRootKeys}) reconnect with it. A file that cannot be read keeps the key in use.
     *
     * @return true when the endpoint now serves with a new key
     */
    public synchronized boolean rotateServerKey() {
        Optional<Path> file = config.security().serverKeyFile();
        if (closed || file.isEmpty() || controlStarter == null) {
            return false;
        }
        CurveKeyPair next;
        try {
            next = dev.tendril.protocol.keys.CurveKeyFiles.readPair(file.get());
        } catch (RuntimeException e) {
            log.error("{}: key rotation refused, the server key in use stays: {}", config.id(), e.getMessage());
            return false;
        }
        if (serverKeys.isPresent() && serverKeys.get().publicKey().equals(next.publicKey())) {
            return false;
        }
        RootControlEndpoint old = control;
        int port = old.port();
        old.close();
        opened.remove(old);
        control = track(controlStarter.apply(port, Optional.of(next)));
        log.info("{}: control endpoint {} serves with a new server key {} (was {})", config.id(), control.endpoint(),
                next.publicKey(), serverKeys.map(CurveKeyPair::publicKey).orElse("none"));
        serverKeys = Optional.of(next);
        return true;
    }

    /**
     * {@code tendrilctl root reload}: as SIGHUP, answered Ack or an error naming the refusal. A
     * changed server key is taken up just after the reply is sent (the reply leaves through the
     * endpoint that the rotation replaces).
     */
    private RootMessage reloadReply() {
        java.util.concurrent.CompletableFuture.delayedExecutor(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(this::rotateServerKey);
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

    /** The writer applies committed Raft entries at their log time; changes go to the Raft log. */
    private RootControl startReplicated(ClusterConfig cluster, SpatialInstanceDirectory directory, DeferredDirectory deferred,
                                        ResolveService resolver, Clock clock) {
        LogClock logClock = new LogClock(clock);
        // the enrolled keys are topology: log entries, written by the writer into the repository's file
        keys = KeyEnrolment.replicated(config.id(), repository, config.security().operatorKeys());
        KeyEnrolment enrolled = keys;
        ControlDispatcher dispatcher = new ControlDispatcher(repository, deferred, logClock, config.fanOut(),
                new PreviewResolution(resolver), config.control().limits(), refusals, enrolled);
        RecoverDirectory reload = new RecoverDirectory(repository, clock);
        TopologyStateMachine stateMachine = new TopologyStateMachine(config.id(), repository, () -> {
            reload.replacing(directory);
            enrolled.reload();
        }, clock);
        committer = track(new GroupCommitter(config.id(), repository, deferred, directory, dispatcher,
                new PurgeExpiredMigrations(repository, deferred, clock), config.control().purgeEvery(),
                config.control().maxBatch(), new GroupCommitter.Replication(logClock, repository, stateMachine::applied)).start());
        stateMachine.attach(committer);
        raft = track(RatisTopologyLog.start(cluster, stateMachine, clock, refusals));
        return new ReplicatedControl(raft, committer, raft);
    }

    /** A root without a group: itself, role SINGLE, no log indexes. */
    private RootMessage.RootsStatus singleRootStatus() {
        return new RootMessage.RootsStatus(config.id(), "SINGLE", config.id(), 0, -1, -1, List.of(new RootMessage.RootMember(
                config.id(), "", config.control().bindAddress() + ":" + control.port(), -1)));
    }

    /** The Raft log of a replicated root; null for a single root. */
    public RatisTopologyLog raft() {
        return raft;
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

    /** The enrolled keys (platforms and operators). */
    public KeyEnrolment keys() {
        return keys;
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
