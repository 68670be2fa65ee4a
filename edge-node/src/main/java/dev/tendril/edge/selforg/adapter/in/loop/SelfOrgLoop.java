package dev.tendril.edge.selforg.adapter.in.loop;

import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.application.MonitorLatency;
import dev.tendril.edge.deployment.Deployment;
import dev.tendril.edge.deployment.Deployments;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.monitoring.hardware.HardwareMonitor;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.ServedSockets;
import dev.tendril.edge.overlay.Overlay;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.edge.selforg.adapter.out.deployment.HostedReplicaHost;
import dev.tendril.edge.selforg.adapter.out.monitoring.MonitorLoadGauge;
import dev.tendril.edge.selforg.adapter.out.monitoring.ProbeUserLatencies;
import dev.tendril.edge.selforg.adapter.out.overlay.MembershipTreePosition;
import dev.tendril.edge.selforg.adapter.out.root.RootControlDirectory;
import dev.tendril.edge.selforg.adapter.out.zmq.ZmqTreeMessenger;
import dev.tendril.edge.selforg.application.AgentContext;
import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.edge.selforg.application.port.out.ReplicaHost;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.edge.selforg.domain.SelfOrgEvent;
import dev.tendril.edge.selforg.domain.SelfOrgPolicy;
import dev.tendril.edge.selforg.domain.Timings;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.trace.HopTrace;
import dev.tendril.protocol.transport.PipelinedClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import dev.tendril.protocol.spec.DeploymentSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Runs a node's self-organization with the real adapters: one thread ("selforg") owns the
 * {@link NodeAgent}; every {@code tick} it starts agents for new deployments, drops those
 * of removed ones, and runs one round. Received tree-socket messages and replies are
 * handed to that thread; {@link #receiveLater} does not wait: a Replicate's reply completes
 * once the thread ran it ({@code BUSY} after 2 s).
 */
public final class SelfOrgLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SelfOrgLoop.class);
    /** How long a Replicate's reply waits for this thread ({@code BUSY} after it); the rehearsal's inbox too. */
    static final Duration RECEIVE_WAIT = Duration.ofSeconds(2);

    private final String nodeId;
    private final ScheduledExecutorService thread;
    private final ExecutorService worker;
    private final NodeAgent agent;
    private final NodeInfo platformNode;
    private final EventLog events;
    private final Deployments deployments;
    private final HostedReplicaHost host;
    private final ZmqTreeMessenger messenger;
    private final SelfOrgInbox inbox;
    private final LoopFailures failures;
    /** Messages that may wait for the self-organization thread before more are refused (BUSY). */
    static final int INBOX_CAPACITY = 1_000;

    /** What the loop needs from the node. */
    public record Parts(Platform platform, NodePolicies policies, SelfOrgPolicy policy, Clock clock, RandomGenerator seeded,
                        RandomGenerator messageIds, RootControl root, Overlay overlay, HostedServices hosted,
                        Deployments deployments, HardwareMonitor monitor, MonitorLatency latency, LatencyProbe probe,
                        GeoLocator locator, InfrastructureDb infra, int treePort, Duration tick,
                        ServedSockets served, PipelinedClient requests,
                        dev.tendril.edge.adapter.out.zmq.CurveClients curve) {
    }

    private SelfOrgLoop(Parts p) {
        this.nodeId = p.platform().id();
        this.deployments = p.deployments();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "selforg-" + nodeId));
        this.worker = Executors.newCachedThreadPool(r -> daemon(r, "selforg-work-" + nodeId));
        this.events = new EventLog(nodeId, p.clock(), 10_000);
        this.failures = new LoopFailures(nodeId, log, p.clock());
        RootControlDirectory root = new RootControlDirectory(p.root(), this::execute);
        Duration attempt = p.policy().replyTimeout().dividedBy(2);
        this.messenger = new ZmqTreeMessenger(nodeId, p.clock(), p.messageIds(), p.infra(), p.treePort(),
                attempt.isZero() ? Duration.ofMillis(200) : attempt, 2, this::post, p.requests(), p.curve());
        this.host = new HostedReplicaHost(nodeId, p.hosted(), p.deployments(), worker, this::execute, p.clock());
        AgentContext ctx = new AgentContext(nodeId, p.policy(), p.policies().thresholds(), p.policies().loadWindow(),
                p.clock(), p.seeded(), messenger, root, host, new MonitorLoadGauge(p.monitor(), p.platform()),
                new ProbeUserLatencies(p.latency(), p.probe(), p.deployments(), p.served()),
                new MembershipTreePosition(p.overlay(), p.hosted(), p.deployments(), root, p.clock()), p.locator(), p.infra(),
                events);
        Platform pl = p.platform();
        this.platformNode = new NodeInfo(pl.id(), pl.address(), pl.position(), List.of(), p.treePort());
        this.agent = new NodeAgent(ctx, platformNode);
        this.inbox = new SelfOrgInbox(nodeId, thread::execute, agent::onMessage, INBOX_CAPACITY, RECEIVE_WAIT, failures,
                LoggerFactory.getLogger(SelfOrgInbox.class), p.clock());
    }

    public static SelfOrgLoop start(Parts parts) {
        SelfOrgLoop loop = new SelfOrgLoop(parts);
        long period = Math.max(50, parts.tick().toMillis());
        loop.thread.scheduleWithFixedDelay(loop::round, period, period, TimeUnit.MILLISECONDS);
        return loop;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void round() {
        long t0 = System.nanoTime();
        try {
            reconcile();
            agent.tick();
        } catch (RuntimeException e) {
            failures.round(e);
        }
        long micros = (System.nanoTime() - t0) / 1_000;
        if (micros >= 1_000) {
            HopTrace.mark("loop.tick", nodeId, micros);
        }
    }

    /** Agents follow the deployments: admin deploys and removals, adoption after a restart. */
    private void reconcile() {
        Set<String> deployed = new HashSet<>();
        for (Deployment d : deployments.all()) {
            deployed.add(d.service());
            if (!host.isLeaving(d.service())) {
                agent.host(d.spec(), d.specText());
            }
        }
        for (String s : agent.services()) {
            if (!deployed.contains(s)) {
                agent.unhost(s);
            }
        }
    }

    private void execute(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    failures.task(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("{}: closing, task dropped", nodeId);
        }
    }

    /** A message (a reply to this node's request) from the messenger: handled on the loop's thread. */
    private void post(String from, SelfOrgMessage m) {
        if (HopTrace.on()) {
            Object id = System.identityHashCode(m);
            HopTrace.mark("loop.post", id, m.type() + " from " + from);
            execute(() -> {
                HopTrace.mark("loop.run", id, m.type());
                handle(from, m);
                HopTrace.mark("loop.ran", id, m.type());
            });
            return;
        }
        execute(() -> handle(from, m));
    }

    private void handle(String from, SelfOrgMessage m) {
        try {
            agent.onMessage(from, m);
        } catch (RuntimeException e) {
            failures.message(from, m.type(), e);
        }
    }

    /**
     * A self-organization message from the tree socket, handed to the loop's thread without
     * waiting: an Ack at once for all but a Replicate, whose reply completes on the loop's thread
     * (see {@link SelfOrgInbox#receiveLater}).
     */
    public java.util.concurrent.CompletionStage<Message> receiveLater(Envelope request) {
        return inbox.receiveLater(request);
    }

    /**
     * Runs a replication's candidate side once on a scratch agent ({@link ReplicateRehearsal}), off
     * this loop's thread, deploying through the real replica host's code over {@code hosted} and
     * {@code deployments}, which must reach nothing (the warm-up's scratch hosting); nothing
     * reaches this node's agent, events or peers. Throws when the rehearsal does not go as a
     * replication goes.
     */
    public void rehearseReplicate(DeploymentSpec spec, String specYaml, HostedServices hosted, Deployments deployments) {
        AgentContext node = agent.context();
        ReplicaHost host = new HostedReplicaHost(nodeId, hosted, deployments, Runnable::run, Runnable::run, node.clock());
        ReplicateRehearsal.run(node, platformNode, spec, specYaml, host);
    }

    /** The inbox's figures: messages queued now, refused BUSY; failures on the loop's thread. */
    public Figures figures() {
        return Figures.of(inbox);
    }

    /**
     * What the metrics export of the loop.
     *
     * @param queued          messages waiting for the self-organization thread now
     * @param busyQueueFull   messages refused BUSY because the inbox was full
     * @param busyReplyWait   Replicates answered BUSY because the thread did not reply in time
     * @param unsupported     messages refused UNSUPPORTED (not self-organization messages)
     * @param messageFailures messages whose handler threw
     * @param taskFailures    tasks handed to the thread that threw
     * @param roundFailures   rounds that threw
     */
    public record Figures(int queued, long busyQueueFull, long busyReplyWait, long unsupported, long messageFailures,
                          long taskFailures, long roundFailures) {
        /** The figures of an inbox and of the failures it shares with its loop. */
        public static Figures of(SelfOrgInbox inbox) {
            LoopFailures f = inbox.failures();
            return new Figures(inbox.queued(), inbox.refused(), inbox.timedOut(), inbox.unsupported(), f.messages(), f.tasks(), f.rounds());
        }
    }

    /** Replicate offers this node refused, by reason (the node's {@code refused.*} figures). */
    public java.util.Map<String, Long> replicaRefusals() {
        return host.refusals();
    }

    /** {@code tendrilctl events}. */
    public Message events(AdminMessage.EventsQuery q) {
        List<AdminMessage.EventView> views = new ArrayList<>();
        for (SelfOrgEvent e : events.query(q.afterSeq(), q.service(), q.limit())) {
            views.add(new AdminMessage.EventView(e.seq(), e.at().toEpochMilli(), e.nodeId(), e.service(), e.kind().name(),
                    e.correlationId(), e.detail(), e.containerStartMillis()));
        }
        List<SelfOrgEvent> all = q.service().isEmpty() ? events.all()
                : events.all().stream().filter(e -> e.service().equals(q.service())).toList();
        return new AdminMessage.EventsReply(nodeId, views, TimingFigures.of(Timings.of(all)));
    }

    public EventLog eventLog() {
        return events;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        worker.shutdownNow();
    }
}
