package dev.tendril.edge.bootstrap;

import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop;
import dev.tendril.edge.adapter.in.admin.AdminSocket;
import dev.tendril.edge.adapter.in.overlay.TreeSocket;
import dev.tendril.edge.adapter.out.docker.DockerContainerRuntime;
import dev.tendril.edge.adapter.out.metrics.PrometheusEdgeMetrics;
import dev.tendril.edge.selforg.adapter.out.monitoring.ProbeUserLatencies;
import dev.tendril.protocol.http.StatusServer;
import dev.tendril.edge.adapter.out.file.FileHardwareCollector;
import dev.tendril.edge.adapter.out.nvidia.NvidiaSmiGpuReader;
import dev.tendril.edge.adapter.out.oshi.OshiHardwareCollector;
import dev.tendril.edge.adapter.out.process.ProcessContainerRuntime;
import dev.tendril.edge.adapter.out.proc.ProcHardwareCollector;
import dev.tendril.edge.adapter.out.yaml.SpecParser;
import dev.tendril.edge.application.SpecSignatures;
import dev.tendril.protocol.signing.OperatorKeys;
import dev.tendril.edge.adapter.out.zmq.ZmqOverlayLink;
import dev.tendril.edge.adapter.out.zmq.ZmqRootControl;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.ServerOptions;
import dev.tendril.edge.adapter.out.zmq.CurveClients;
import dev.tendril.edge.application.security.EnrolledPeers;
import dev.tendril.edge.application.security.RefreshEnrolledKeys;
import dev.tendril.edge.application.DescribeNode;
import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.application.MonitorLatency;
import dev.tendril.edge.adapter.out.ebpf.BpfLatencyProbe;
import dev.tendril.edge.monitoring.latency.DeferredLatencyProbe;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.ServedSockets;
import dev.tendril.edge.deployment.ContainerRuntime;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.monitoring.hardware.HardwareCollector;
import dev.tendril.edge.monitoring.hardware.HardwareMonitor;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.health.adapter.out.net.SocketHealthProbe;
import dev.tendril.edge.health.application.WatchInstances;
import dev.tendril.edge.health.domain.RestartBackoff;
import dev.tendril.protocol.message.AdminMessage.Figure;
import dev.tendril.protocol.transport.ServerStats;
import dev.tendril.protocol.refusal.RefusalLog;
import org.slf4j.helpers.NOPLogger;

import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Wires one edge node by hand from its configuration and runs it until closed. */
public final class EdgeNode implements AutoCloseable {
    private static final Duration NAMESPACE_REFRESH = Duration.ofSeconds(1);
    /** How often the runtime is asked which instances run (an exited one leaves DNS within this plus a root call). */
    private static final Duration WATCH_INTERVAL = Duration.ofMillis(250);
    private final EdgeConfig config;
    private final ScheduledTicker ticker;
    private ScheduledTicker rootTicker;
    /** The enrolled keys' long polls (null in clear). */
    private ScheduledTicker keysTicker;
    private final PipelinedClient requests;
    /** The overlay's second path (heartbeats' second try, confirming probes): connections apart from {@code requests}. */
    private PipelinedClient probes;
    private final HostedServices hosted;
    private final TreeSocket tree;
    private final AdminSocket admin;
    private final LatencyProbe probe;
    private final dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop selfOrg;
    /** Run last on close: removes instances that cannot outlive the node (see {@link DockerContainerRuntime#sharesNodeNetwork()}). */
    private Runnable releaseInstances = () -> { };
    private StatusServer http;
    private boolean closed;
    private Deployments deployments;
    private Overlay overlay;

    private EdgeNode(EdgeConfig config, ScheduledTicker ticker, PipelinedClient requests,
                     HostedServices hosted, TreeSocket tree, AdminSocket admin, LatencyProbe probe,
                     dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop selfOrg) {
        this.probe = probe;
        this.selfOrg = selfOrg;
        this.config = config;
        this.ticker = ticker;
        this.requests = requests;
        this.hosted = hosted;
        this.tree = tree;
        this.admin = admin;
    }

    /**
     * Starts everything; throws IllegalStateException with a message for the operator when something cannot start.
     * The operator HTTP port (when {@code http.bind} is set) starts first: /readyz answers 503 until the node
     * runs and every hosted service has joined its tree.
     */
    public static EdgeNode start(EdgeConfig config) {
        java.util.concurrent.atomic.AtomicReference<EdgeNode> started = new java.util.concurrent.atomic.AtomicReference<>();
        PrometheusEdgeMetrics metrics = config.httpBind().map(b -> new PrometheusEdgeMetrics(config.platform().id())).orElse(null);
        StatusServer http = config.httpBind().map(b -> StatusServer.start(config.platform().id(), "http.bind", b.host(), b.port(),
                metrics::scrape, () -> started.get() == null ? Optional.of("starting") : started.get().notJoined())).orElse(null);
        try {
            EdgeNode node = startNode(config, metrics);
            node.http = http;
            started.set(node);
            return node;
        } catch (RuntimeException e) {
            if (http != null) {
                http.close();
            }
            throw e;
        }
    }

    private static EdgeNode startNode(EdgeConfig config, PrometheusEdgeMetrics metrics) {
        Clock clock = Clock.systemUTC();
        SecureRandom random = new SecureRandom();
        String id = config.platform().id();
        ContainerRuntime runtime = runtime(config);
        HardwareCollector collector = config.loadFile().<HardwareCollector>map(FileHardwareCollector::new)
                .orElseGet(EdgeNode::hardwareCollector);
        HardwareMonitor monitor = new HardwareMonitor(collector, clock, config.policies());
        ScheduledTicker ticker = new ScheduledTicker(id, 3);
        ticker.every(config.policies().sampleInterval(), monitor::sample);
        int maxSpec = config.admission().maxSpecBytes();
        java.util.function.Function<String, dev.tendril.protocol.spec.Validated<dev.tendril.protocol.spec.DeploymentSpec>> specs =
                text -> SpecParser.parse(text, maxSpec);
        Deployments deployments = new Deployments(config.platform(), config.zone(), runtime, specs, clock);
        // loaded off the start path (binding libbpf takes a good part of a second): the node is ready without waiting
        BpfLatencyProbe.Settings probeSettings = BpfLatencyProbe.Settings.defaults().withWindow(config.policies().latencyWindow());
        LatencyProbe probe = DeferredLatencyProbe.start(BpfLatencyProbe.MECHANISM,
                () -> BpfLatencyProbe.start(probeSettings, clock), "probe-loader-" + id);
        MonitorLatency latency = new MonitorLatency(probe, deployments);
        ticker.every(config.policies().sampleInterval(), () -> {
            try {
                latency.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(EdgeNode.class).warn("{}: latency round failed", id, e);
            }
        });
        Overlay overlay = new Overlay();
        Duration hb = config.policies().heartbeatInterval();
        // one client for every request this node sends (root, overlay, self-organization)
        PipelinedClient requests = new PipelinedClient(id);
        EdgeConfig.Security security = config.security();
        EnrolledPeers peers = new EnrolledPeers(security.operatorKeys());
        CurveClients curve = new CurveClients(security.keys(), security.rootKeys(), security.nextRootKeys(), peers::platformKey);
        ZmqRootControl root = new ZmqRootControl(config.rootControl(), id, clock, random,
                hb.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : hb, 2, requests, curve);
        // the overlay's second path (heartbeats' other try, confirming probes): connections apart from the first's
        PipelinedClient probes = new PipelinedClient(id + "-probe");
        ZmqOverlayLink link = new ZmqOverlayLink(id, clock, random, requests, probes, curve);
        ScheduledTicker keysTicker = null;
        if (curve.enabled()) {
            RefreshEnrolledKeys refresh = new RefreshEnrolledKeys(id, root, peers);
            refresh.run(); // before the tree socket opens, so enrolled peers are admitted from the start
            // long polls on a thread of their own (a held query waits up to RefreshEnrolledKeys.HOLD), one
            // heartbeat interval after each answer
            keysTicker = new ScheduledTicker(id + "-keys", 1);
            keysTicker.every(hb, refresh::runHeld);
        } else {
            org.slf4j.LoggerFactory.getLogger(EdgeNode.class).warn("{}: tree socket {} and admin socket {} run in CLEAR "
                    + "(no security.key): any local process may join the trees and deploy; only the local preset on "
                    + "loopback allows this (see docs/security.md)", id, config.treeBind(), config.adminBind());
        }
        SpecSignatures signatures = specSignatures(config, clock);
        ScheduledTicker rootTicker = new ScheduledTicker(id + "-root", 1);
        HostedServices hosted = new HostedServices(config.platform(), deployments, overlay, root, link, clock,
                config.policies(), ticker, rootTicker, specs, signatures);
        InfrastructureDb infra = new InfrastructureDb(config.infrastructure());
        dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop[] selfOrgRef = new dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop[1];
        java.util.concurrent.atomic.AtomicReference<dev.tendril.edge.overlay.PeerConnections> openAhead =
                new java.util.concurrent.atomic.AtomicReference<>(dev.tendril.edge.overlay.PeerConnections.NONE);
        TreeSocket tree = TreeSocket.start(config.treeBind(), id, overlay,
                request -> selfOrgRef[0] == null ? java.util.concurrent.CompletableFuture.completedFuture(
                        new dev.tendril.protocol.message.RootMessage.ErrorReply("UNAVAILABLE", "self-organization is starting"))
                        : selfOrgRef[0].receiveLater(request),
                security.keys().map(k -> new ServerOptions.Curve(k, peers.platforms())),
                platform -> openAhead.get().openTo(platform), clock); // a peer that connected here: connected back
        hosted.overlayPort(tree.port());
        // likely parents of a replica, the members of this node's trees, peers that connected here:
        // connected before the first message
        dev.tendril.edge.adapter.out.zmq.ZmqPeerConnections peerConnections = new dev.tendril.edge.adapter.out.zmq.ZmqPeerConnections(
                config.platform(), infra, tree::port, requests, curve);
        hosted.peerConnections(peerConnections);
        openAhead.set(peerConnections);
        ServedSockets served = SelfOrgWiring.servedSockets(id,
                runtime instanceof DockerContainerRuntime docker ? docker : null);
        if (runtime instanceof DockerContainerRuntime) {
            ticker.every(NAMESPACE_REFRESH, served::refresh); // the containers' namespaces: started, adopted, gone
        }
        selfOrgRef[0] = SelfOrgWiring.start(config, clock, random, root, overlay, hosted, deployments, monitor, latency,
                probe, infra, tree.port(), served, requests, curve);
        AdminSocket[] adminRef = new AdminSocket[1];
        WatchInstances watch = new WatchInstances(id, config.platform().address(), deployments, new SocketHealthProbe(),
                (service, serving) -> overlay.get(service).ifPresent(m -> m.serving(serving)), clock,
                probeThreads(id), RestartBackoff::standard);
        ticker.every(WATCH_INTERVAL, () -> {
            try {
                watch.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(EdgeNode.class).warn("{}: instance watch failed", id, e);
            }
        });
        DescribeNode describe = new DescribeNode(config.platform(), infra, monitor, deployments, overlay,
                latency::statusLine,
                () -> counters(tree.stats(), adminRef[0], signatures, selfOrgRef[0]), watch::describe);
        try {
            adminRef[0] = AdminSocket.start(config.adminBind(), id, config.admission().adminKeys(),
                    config.admission().adminWindow(), hosted, describe, root, selfOrgRef[0]::events,
                    security.keys().map(k -> new ServerOptions.Curve(k, peers.operators())),
                    java.util.Optional.of(config.stateDir().resolve(id + "-admin-ids")), clock);
        } catch (RuntimeException e) {
            selfOrgRef[0].close();
            tree.close();
            if (keysTicker != null) {
                keysTicker.close();
            }
            requests.close();
            probes.close();
            throw e;
        }
        EdgeNode node = new EdgeNode(config, ticker, requests, hosted, tree, adminRef[0], probe, selfOrgRef[0]);
        node.deployments = deployments;
        node.probes = probes;
        node.overlay = overlay;
        if (metrics != null) {
            metrics.bindUsers(deployments, new ProbeUserLatencies(latency, probe, deployments, served));
            metrics.bindDeployments(deployments, overlay);
            metrics.bindProbe(probe);
            metrics.bindLoad(monitor);
            metrics.bindEvents(selfOrgRef[0].eventLog());
            metrics.bindSelfOrg(selfOrgRef[0]::figures);
            metrics.bindSocket("tree", tree::stats);
            AdminSocket admin = adminRef[0];
            metrics.bindSocket("admin", admin::stats);
        }
        if (runtime instanceof DockerContainerRuntime docker && docker.sharesNodeNetwork()) {
            node.releaseInstances = () -> docker.removeNodeInstances(id);
        }
        node.rootTicker = rootTicker;
        node.keysTicker = keysTicker;
        hosted.resume();
        return node;
    }

    /** The operators' public keys by name (the key file's name without .pub), and the spec size limit. */
    static SpecSignatures specSignatures(EdgeConfig config, Clock clock) {
        java.util.Map<String, java.security.PublicKey> operators = new java.util.LinkedHashMap<>();
        for (Path file : config.admission().signingKeys()) {
            try {
                operators.put(OperatorKeys.nameOf(file), OperatorKeys.readPublic(file));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("security.signingKeys: " + e.getMessage(), e);
            }
        }
        return new SpecSignatures(config.platform().id(), operators, config.admission().maxSpecBytes(),
                dev.tendril.protocol.refusal.RefusalLog.perMinute(org.slf4j.LoggerFactory.getLogger("tendril.refusals"), clock));
    }

    /** Daemon threads for health probes: each blocks at most its check's timeout. */
    private static java.util.concurrent.ExecutorService probeThreads(String nodeId) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "probe-" + nodeId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** /proc on Linux (cheap to start); OSHI elsewhere (JNA, ~1 s for its first look at the machine). */
    private static HardwareCollector hardwareCollector() {
        Path proc = Path.of("/proc");
        return ProcHardwareCollector.available(proc)
                ? new ProcHardwareCollector(proc, Path.of("/"), NvidiaSmiGpuReader.onThisMachine())
                : new OshiHardwareCollector(Path.of("/"), NvidiaSmiGpuReader.onThisMachine());
    }

    private static ContainerRuntime runtime(EdgeConfig config) {
        if (config.runtime() == EdgeConfig.Runtime.PROCESS) {
            return new ProcessContainerRuntime(config.stateDir().resolve("processes"));
        }
        DockerContainerRuntime docker = DockerContainerRuntime.connect(config.dockerHost(), config.dockerNetwork());
        if (!docker.reachable()) {
            throw new IllegalStateException("runtime.dockerHost: no Docker engine answers at " + config.dockerHost()
                    + " (start dockerd, e.g. scripts/ensure-dockerd.sh, or set runtime.kind: process)");
        }
        return docker;
    }

    private static List<Figure> counters(ServerStats tree, AdminSocket admin, SpecSignatures signatures,
                                         dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop selfOrg) {
        List<Figure> out = new ArrayList<>();
        add(out, "tree", tree);
        if (admin != null) {
            add(out, "admin", admin.stats());
            out.add(new Figure("admin.unauthorized", Long.toString(admin.refused())));
            addRefusals(out, admin.refusals());
        }
        addRefusals(out, signatures.refusals());
        if (selfOrg != null) {
            addRefusals(out, selfOrg.replicaRefusals());
        }
        return out;
    }

    /** One {@code refused.<reason>} figure per reason. */
    private static void addRefusals(List<Figure> out, java.util.Map<String, Long> refusals) {
        refusals.forEach((reason, n) -> out.add(new Figure("refused." + reason, Long.toString(n))));
    }

    private static void add(List<Figure> out, String prefix, ServerStats s) {
        out.add(new Figure(prefix + ".received", Long.toString(s.received())));
        out.add(new Figure(prefix + ".handled", Long.toString(s.handled())));
        out.add(new Figure(prefix + ".duplicates", Long.toString(s.duplicates())));
        out.add(new Figure(prefix + ".malformed", Long.toString(s.malformed())));
        out.add(new Figure(prefix + ".invalid", Long.toString(s.invalid())));
        out.add(new Figure(prefix + ".unknown_type", Long.toString(s.unknownType())));
        out.add(new Figure(prefix + ".unknown_version", Long.toString(s.unknownVersion())));
        out.add(new Figure(prefix + ".dropped", Long.toString(s.dropped())));
        out.add(new Figure(prefix + ".refused_connections", Long.toString(s.refusedConnections())));
        out.add(new Figure(prefix + ".refused_keys", Long.toString(s.refusedKeys())));
        out.add(new Figure(prefix + ".forbidden", Long.toString(s.forbidden())));
        out.add(new Figure(prefix + ".failed_handshakes", Long.toString(s.failedHandshakes())));
    }

    /** Empty once every hosted service has joined its tree, else which have not (for /readyz). */
    Optional<String> notJoined() {
        List<String> waiting = deployments.all().stream().map(d -> d.service())
                .filter(svc -> overlay.get(svc).isEmpty()).toList();
        return waiting.isEmpty() ? Optional.empty() : Optional.of("joining the trees of " + waiting);
    }

    /** The operator HTTP port's {@code host:port}, when configured. */
    public Optional<String> httpAuthority() {
        return Optional.ofNullable(http).map(StatusServer::authority);
    }

    /**
     * A replication's candidate side, run once on a scratch agent through the real replica host's
     * code over hosting that reaches nothing ({@link RehearsalHosting}, {@link SelfOrgLoop#rehearseReplicate});
     * {@code spec} must be the warm-up's sample, signed by {@code signer}.
     */
    void rehearseReplicate(DeploymentSpec spec, String specYaml, PublicKey signer) {
        Clock clock = Clock.systemUTC();
        int maxSpec = config.admission().maxSpecBytes();
        SpecSignatures sample = new SpecSignatures(config.platform().id(), Map.of(WarmUp.SIGNER, signer), maxSpec,
                new RefusalLog(NOPLogger.NOP_LOGGER, clock, Duration.ofMinutes(1), 1));
        // the sample's own zone (warm-up.invalid): a node deploys only specs of the zone it serves
        RehearsalHosting scratch = RehearsalHosting.of(config.platform(), spec.zone(), config.policies(),
                text -> SpecParser.parse(text, maxSpec), sample, clock);
        selfOrg.rehearseReplicate(spec, specYaml, scratch.hosted, scratch.deployments);
    }

    public int treePort() {
        return tree.port();
    }

    public int adminPort() {
        return admin.port();
    }

    public EdgeConfig config() {
        return config;
    }

    /**
     * Stops serving; hosted instances keep running (a restarted node adopts them), except
     * those that share the node's own network namespace: they are removed, as they would be
     * cut off from the network with the node. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return; // the SIGTERM path and the shutdown hook both close
        }
        closed = true;
        if (http != null) {
            http.close();
        }
        selfOrg.close();
        hosted.stop();
        admin.close();
        tree.close();
        ticker.close();
        if (rootTicker != null) {
            rootTicker.close();
        }
        if (keysTicker != null) {
            keysTicker.close();
        }
        probe.close();
        requests.close();
        if (probes != null) {
            probes.close();
        }
        releaseInstances.run();
    }
}
