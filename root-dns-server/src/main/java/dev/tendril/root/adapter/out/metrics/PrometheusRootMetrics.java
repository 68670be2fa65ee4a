package dev.tendril.root.adapter.out.metrics;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ServerStats;
import dev.tendril.root.adapter.in.dns.DnsMetrics;
import dev.tendril.root.application.GroupCommitter;
import dev.tendril.root.application.QueryType;
import dev.tendril.root.domain.Basis;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.xbill.DNS.Rcode;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The root's one metrics exporter: reads the counters kept where events happen (the DNS
 * front end's {@link DnsMetrics}, the control endpoint's {@link ServerStats}, the writer's
 * commits) into a Micrometer registry that renders the Prometheus text format. All metric
 * names of the root live here (docs/operations.md lists them).
 */
public final class PrometheusRootMetrics implements DnsMetrics.AnswerObserver, GroupCommitter.CommitObserver {
    private static final Duration[] DNS_BUCKETS = millis(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 100);
    private static final Duration[] COMMIT_BUCKETS = millis(0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000);
    private static final String[] TRANSPORTS = {"udp", "tcp"};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final QueryType[] types = QueryType.values();
    /** answers by [transport][qtype][rcode], made on first use. */
    private final AtomicReferenceArray<Counter> answers = new AtomicReferenceArray<>(2 * QueryType.values().length * 17);
    private final Timer[] answerTime = new Timer[2];
    private final Counter[] located = new Counter[2];
    private final ConcurrentMap<String, Counter> serviceAnswers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> controlRequests = new ConcurrentHashMap<>();
    private final Timer commitTime;
    private final DistributionSummary commitSize;
    /** Micrometer holds the objects that function meters read weakly: keep them here. */
    private final java.util.List<Object> read = new java.util.concurrent.CopyOnWriteArrayList<>();

    public PrometheusRootMetrics(String rootId) {
        registry.config().commonTags("root", rootId);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (int t = 0; t < 2; t++) {
            answerTime[t] = Timer.builder("tendril.dns.answer").description("Time from a query's arrival to its written answer")
                    .tag("transport", TRANSPORTS[t]).serviceLevelObjectives(DNS_BUCKETS).register(registry);
        }
        located[0] = Counter.builder("tendril.dns.client.located").description("Answered queries by how the client was placed")
                .tag("by", "source").register(registry);
        located[1] = Counter.builder("tendril.dns.client.located").description("Answered queries by how the client was placed")
                .tag("by", "ecs").register(registry);
        commitTime = Timer.builder("tendril.control.commit").description("Time of one control transaction, dispatch to DNS directory updated")
                .serviceLevelObjectives(COMMIT_BUCKETS).register(registry);
        commitSize = DistributionSummary.builder("tendril.control.commit.requests")
                .description("Control requests committed together in one transaction").register(registry);
    }

    /** Exports the DNS front end's counters and observes its answers. */
    public void bindDns(DnsMetrics dns) {
        read.add(dns);
        dnsCounter("tendril.dns.queries", "Messages received", "transport", "udp", dns, DnsMetrics::udpQueries);
        dnsCounter("tendril.dns.queries", "Messages received", "transport", "tcp", dns, DnsMetrics::tcpQueries);
        dnsCounter("tendril.dns.tcp.connections", "TCP connections accepted", null, null, dns, DnsMetrics::tcpConnections);
        dnsCounter("tendril.dns.refused.messages", "Messages not answered or answered FORMERR, by reason", "reason", "dropped", dns, DnsMetrics::dropped);
        dnsCounter("tendril.dns.refused.messages", "Messages not answered or answered FORMERR, by reason", "reason", "malformed", dns, DnsMetrics::malformed);
        dnsCounter("tendril.dns.truncated", "UDP answers sent with TC set", null, null, dns, DnsMetrics::truncated);
        dnsCounter("tendril.dns.unexpected.errors", "Exceptions answered SERVFAIL (bugs)", null, null, dns, DnsMetrics::unexpectedErrors);
        dnsCounter("tendril.dns.rrl.responses", "Answers beyond the response rate limit (RRL), by action", "action", "dropped", dns, DnsMetrics::rateLimitDropped);
        dnsCounter("tendril.dns.rrl.responses", "Answers beyond the response rate limit (RRL), by action", "action", "slipped", dns, DnsMetrics::rateLimitSlipped);
        dnsCounter("tendril.dns.rrl.quarantined", "Rate-limited networks put in quarantine: their UDP to a socket and thread of their own",
                null, null, dns, DnsMetrics::quarantined);
        dnsCounter("tendril.dns.xdp.answers", "UDP answers sent through AF_XDP (dns.xdpInterfaces)", null, null, dns,
                DnsMetrics::xdpAnswers);
        dnsCounter("tendril.dns.cookie.queries", "Queries with a DNS COOKIE option, by server cookie validity", "server_cookie", "valid", dns, DnsMetrics::validCookies);
        dnsCounter("tendril.dns.cookie.queries", "Queries with a DNS COOKIE option, by server cookie validity", "server_cookie", "none_or_invalid", dns,
                m -> m.cookieQueries() - m.validCookies());
        dnsCounter("tendril.dns.tcp.refused", "TCP connections closed at accept: over the total or per-client cap", null, null, dns, DnsMetrics::tcpRefused);
        for (int rcode = 0; rcode <= 16; rcode++) {
            int r = rcode;
            dnsCounter("tendril.dns.responses", "Responses sent, by response code", "rcode", rcodeName(r), dns, m -> m.responses(r));
        }
        dns.observe(this);
    }

    /** Exports the control endpoint's frame counters and observes the writer's commits. */
    public void bindControl(Supplier<ServerStats> endpoint, GroupCommitter writer) {
        read.add(endpoint);
        ServerStats.OUTCOMES.forEach((outcome, f) -> frames(outcome, endpoint, f::applyAsLong));
        read.add(writer);
        FunctionCounter.builder("tendril.control.transactions", writer, GroupCommitter::batches)
                .description("Control transactions committed").register(registry);
        writer.observe(this);
    }

    /** Exports the enrolled keys and the key queries held as long polls. */
    public void bindKeys(dev.tendril.root.application.security.KeyEnrolment keys) {
        read.add(keys);
        Gauge.builder("tendril.keys.enrolled", keys, k -> k.size())
                .description("Keys enrolled at this root (bootstrap operators not counted)").register(registry);
        Gauge.builder("tendril.keys.held.queries", keys, k -> k.heldQueries())
                .description("Edge nodes' key queries held as long polls (answered at a key change or when the hold ends)")
                .register(registry);
    }

    /** Exports the registration watches: held now, and how each ended. */
    public void bindWatches(dev.tendril.root.application.RegistrationWatches watches) {
        read.add(watches);
        Gauge.builder("tendril.registration.watches.held", watches, w -> w.size())
                .description("Registration watches held as long polls (replication origins waiting for their replica)")
                .register(registry);
        FunctionCounter.builder("tendril.registration.watches", watches, w -> w.answered())
                .tag("outcome", "answered").description("Registration watches ended, by outcome").register(registry);
        FunctionCounter.builder("tendril.registration.watches", watches, w -> w.expired())
                .tag("outcome", "expired").description("Registration watches ended, by outcome").register(registry);
        FunctionCounter.builder("tendril.registration.watches", watches, w -> w.refused())
                .tag("outcome", "not_held").description("Registration watches ended, by outcome").register(registry);
    }

    /** Exports what the Raft port of a replicated root refused: unpinned TLS peers and client or admin calls. */
    public void bindRaft(dev.tendril.root.adapter.out.ratis.RatisTopologyLog raft) {
        read.add(raft);
        String help = "Refused at the Raft port, by reason: a TLS peer whose certificate is not pinned, "
                + "a call to Ratis's client or admin protocol";
        FunctionCounter.builder("tendril.raft.refused", raft, r -> r.refusedPeers()).tag("reason", "peer_certificate")
                .description(help).register(registry);
        FunctionCounter.builder("tendril.raft.refused", raft, r -> r.forbiddenCalls()).tag("reason", "forbidden_call")
                .description(help).register(registry);
    }

    /** Exports the size of the DNS directory. */
    public void bindDirectory(SpatialInstanceDirectory directory) {
        read.add(directory);
        Gauge.builder("tendril.directory.services", directory, d -> d.serviceNames().size())
                .description("Services the DNS directory answers for").register(registry);
    }

    @Override
    public void answered(QueryType type, int rcode, boolean tcp, boolean ecs, String service, Basis basis, long nanos) {
        int t = tcp ? 1 : 0;
        int r = rcode >= 0 && rcode <= 16 ? rcode : 2;
        int index = (t * types.length + type.ordinal()) * 17 + r;
        Counter c = answers.get(index);
        if (c == null) {
            c = Counter.builder("tendril.dns.answers").description("Parsed queries answered, by question type, response code and transport")
                    .tag("transport", TRANSPORTS[t]).tag("qtype", type.name()).tag("rcode", rcodeName(r)).register(registry);
            answers.set(index, c);
        }
        c.increment();
        answerTime[t].record(nanos, TimeUnit.NANOSECONDS);
        located[ecs ? 1 : 0].increment();
        if (!service.isEmpty()) {
            serviceAnswers.computeIfAbsent(service + '\n' + basis.label(), k -> Counter.builder("tendril.dns.service.answers")
                    .description("Answers naming a service's instances, by service and basis")
                    .tag("service", service).tag("basis", basis.label()).register(registry)).increment();
        }
    }

    @Override
    public void answered(RootMessage request, RootMessage reply) {
        String outcome = reply instanceof RootMessage.ErrorReply e ? e.code().toLowerCase(Locale.ROOT) : "ok";
        String type = request.type().name().toLowerCase(Locale.ROOT);
        controlRequests.computeIfAbsent(type + '\n' + outcome, k -> Counter.builder("tendril.control.requests")
                .description("Control requests answered, by type and outcome")
                .tag("type", type).tag("outcome", outcome).register(registry)).increment();
    }

    @Override
    public void committed(int requests, long nanos) {
        commitTime.record(nanos, TimeUnit.NANOSECONDS);
        commitSize.record(requests);
    }

    /** The registry, for meters of other parts (e.g. the HTTP port's own). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Every metric in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    private void dnsCounter(String name, String help, String tag, String value, DnsMetrics dns, ToDoubleFunction<DnsMetrics> f) {
        FunctionCounter.Builder<DnsMetrics> b = FunctionCounter.builder(name, dns, f).description(help);
        if (tag != null) {
            b.tag(tag, value);
        }
        b.register(registry);
    }

    private void frames(String outcome, Supplier<ServerStats> endpoint, ToDoubleFunction<ServerStats> f) {
        FunctionCounter.builder("tendril.control.frames", endpoint, s -> f.applyAsDouble(s.get()))
                .description("Control endpoint frames, by outcome").tag("outcome", outcome).register(registry);
    }

    private static String rcodeName(int rcode) {
        return Rcode.string(rcode);
    }

    private static Duration[] millis(double... ms) {
        Duration[] out = new Duration[ms.length];
        for (int i = 0; i < ms.length; i++) {
            out[i] = Duration.ofNanos(Math.round(ms[i] * 1_000_000));
        }
        return out;
    }
}
