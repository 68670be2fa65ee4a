package dev.tendril.edge.adapter.in.admin;

import dev.tendril.edge.application.DescribeNode;
import dev.tendril.edge.application.HostedServices;
import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.overlay.RootControl;
import dev.tendril.protocol.codec.AdminCodecs;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.codec.MessageCodec;
import dev.tendril.protocol.codec.RootCodecs;
import dev.tendril.protocol.message.AdminAuth;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import dev.tendril.protocol.transport.ServerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tendril.protocol.refusal.RefusalLog;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's local admin socket: authenticated admin requests from {@code tendrilctl}.
 * Every request must pass the {@link AdminGate} (a valid HMAC of one of the named admin keys,
 * within the validity window, not sent before this node started, its id never used before);
 * the socket keeps no reply cache, so a repeated id is refused, never answered again (a client
 * that must send a request again signs a retry with a fresh id, answered with the first one's
 * reply when that one ran: see {@link AdminGate}). Others
 * are answered UNAUTHORIZED, counted
 * per reason and logged at most once a minute per sender. Each admin action (deploy, remove)
 * writes one line to the {@code tendril.audit} logger: operator, sender, what, result. Its codec knows admin messages and the replies
 * it sends only; overlay messages sent here are dropped as unknown types.
 */
public final class AdminSocket implements AutoCloseable {
    /** One line per admin action: who (operator, sender), what, result. */
    static final Logger AUDIT = LoggerFactory.getLogger("tendril.audit");
    private final RequestServer server;
    private final LongAdder refused;
    private final RefusalLog refusals;

    private final AdminGate gate;

    private AdminSocket(RequestServer server, LongAdder refused, RefusalLog refusals, AdminGate gate) {
        this.gate = gate;
        this.server = server;
        this.refused = refused;
        this.refusals = refusals;
    }

    public static FrameCodec codec() {
        List<MessageCodec<?>> codecs = new ArrayList<>(AdminCodecs.all());
        codecs.addAll(dev.tendril.protocol.codec.EventCodecs.all());
        EnumSet<MessageType> replies = EnumSet.of(MessageType.ACK, MessageType.ERROR, MessageType.TREE_LISTING);
        RootCodecs.all().stream().filter(c -> replies.contains(c.type())).forEach(codecs::add);
        return new FrameCodec(codecs);
    }

    public static AdminSocket start(Endpoint bind, String nodeId, String key, HostedServices hosted, DescribeNode describe,
                                    RootControl root, Clock clock) {
        return start(bind, nodeId, key, hosted, describe, root,
                q -> new RootMessage.ErrorReply("UNSUPPORTED", "self-organization is not running on this node"), clock);
    }

    /** As above; {@code events} answers {@code tendrilctl events}. */
    public static AdminSocket start(Endpoint bind, String nodeId, String key, HostedServices hosted, DescribeNode describe,
                                    RootControl root, java.util.function.Function<AdminMessage.EventsQuery, Message> events,
                                    Clock clock) {
        return start(bind, nodeId, Map.of("admin", key), Duration.ofMillis(AdminAuth.MAX_SKEW_MILLIS), hosted, describe,
                root, events, clock);
    }

    /** As above; with {@code curve} the socket speaks CURVE and admits only the operators' keys. */
    public static AdminSocket start(Endpoint bind, String nodeId, String key, HostedServices hosted, DescribeNode describe,
                                    RootControl root, java.util.function.Function<AdminMessage.EventsQuery, Message> events,
                                    java.util.Optional<ServerOptions.Curve> curve, Clock clock) {
        return start(bind, nodeId, Map.of("admin", key), Duration.ofMillis(AdminAuth.MAX_SKEW_MILLIS), hosted, describe,
                root, events, curve, clock);
    }

    /**
     * As above with several admin keys by operator name (the audit log names the operator)
     * and a validity window for requests (see {@link AdminGate}).
     */
    public static AdminSocket start(Endpoint bind, String nodeId, Map<String, String> keys, Duration window,
                                    HostedServices hosted, DescribeNode describe, RootControl root,
                                    java.util.function.Function<AdminMessage.EventsQuery, Message> events, Clock clock) {
        return start(bind, nodeId, keys, window, hosted, describe, root, events, java.util.Optional.empty(), clock);
    }

    /**
     * As above; with {@code curve} the socket speaks CURVE and admits only the operators' keys
     * (the admin key is still checked: CURVE says who connects, the key who may act).
     */
    public static AdminSocket start(Endpoint bind, String nodeId, Map<String, String> keys, Duration window,
                                    HostedServices hosted, DescribeNode describe, RootControl root,
                                    java.util.function.Function<AdminMessage.EventsQuery, Message> events,
                                    java.util.Optional<ServerOptions.Curve> curve, Clock clock) {
        return start(bind, nodeId, keys, window, hosted, describe, root, events, curve, java.util.Optional.empty(), clock);
    }

    /**
     * As above; with {@code acceptedIds} (a file in the node's state folder) the ids of accepted
     * requests outlive a restart for the whole window, so a replay is refused after one too.
     */
    public static AdminSocket start(Endpoint bind, String nodeId, Map<String, String> keys, Duration window,
                                    HostedServices hosted, DescribeNode describe, RootControl root,
                                    java.util.function.Function<AdminMessage.EventsQuery, Message> events,
                                    java.util.Optional<ServerOptions.Curve> curve, java.util.Optional<java.nio.file.Path> acceptedIds,
                                    Clock clock) {
        LongAdder refused = new LongAdder();
        AdminGate gate = new AdminGate(keys, clock, window, clock.millis(), AdminGate.DEFAULT_MAX_REMEMBERED,
                acceptedIds.<AcceptedIds>map(AcceptedIdFile::new).orElseGet(AcceptedIds::inMemory));
        RefusalLog refusals = RefusalLog.perMinute(AUDIT, clock);
        // no reply cache: a repeated id reaches the gate and is refused, never answered from a cache
        ServerOptions options = ServerOptions.of(bind.zmq(), nodeId).withHandlerThreads(1).withoutDedupe();
        if (curve.isPresent()) {
            options = options.withCurve(curve.get());
        }
        RequestServer server = RequestServer.start(options,
                (dev.tendril.protocol.transport.CallerHandler) (request, caller) -> guarded(request, peer(request, caller),
                        nodeId, gate, refusals, refused,
                        operator -> request.body() instanceof AdminMessage.EventsQuery q ? events.apply(q)
                                : handle(request, hosted, describe, root)), clock, codec());
        return new AdminSocket(server, refused, refusals, gate);
    }

    /**
     * Whom a refusal is logged for: the CURVE identity when there is one, else the claimed sender.
     * Keyed by the claimed sender alone, a client that varies {@code from} in every request
     * (the fuzz benchmark's mutated frames did) would get a log line per request.
     */
    static String peer(Envelope request, dev.tendril.protocol.transport.Caller caller) {
        return caller.isClear() ? request.from() : caller.describe();
    }

    /** Lets the request through the gate, runs it, and writes the audit line (who, what, result). */
    static Message guarded(Envelope request, String nodeId, AdminGate gate, RefusalLog refusals, LongAdder refused,
                           java.util.function.Function<String, Message> run) {
        return guarded(request, request.from(), nodeId, gate, refusals, refused, run);
    }

    /** As above; refusals are logged at most once an interval per {@code peer}. */
    static Message guarded(Envelope request, String peer, String nodeId, AdminGate gate, RefusalLog refusals, LongAdder refused,
                           java.util.function.Function<String, Message> run) {
        AdminGate.Verdict verdict = gate.check(request);
        if (verdict instanceof AdminGate.Verdict.Refused r) {
            refused.increment();
            refusals.refused(peer, "admin-" + r.reason(), nodeId + ": " + request.kind() + " " + request.id()
                    + ": " + r.message());
            // UNAUTHORIZED replies are not remembered by the transport: junk cannot fill its reply cache
            return new RootMessage.ErrorReply(RequestServer.UNAUTHORIZED, r.message());
        }
        if (verdict instanceof AdminGate.Verdict.Answered again) {
            // a retry of a request that ran: its reply again, nothing runs (audited like the request)
            audit(request, nodeId, again.operator(), "retry-of:" + again.first() + " answered with its reply ("
                    + result(again.reply()) + ")");
            return again.reply();
        }
        String operator = ((AdminGate.Verdict.Admitted) verdict).operator();
        Message reply;
        try {
            reply = run.apply(operator);
        } catch (RuntimeException | Error e) {
            gate.answered(request, RootMessage.ErrorReply.internal(e, request.kind() + " " + request.id(), nodeId));
            throw e;
        }
        gate.answered(request, reply);
        audit(request, nodeId, operator, result(reply));
        return reply;
    }

    /** One audit line: INFO for an action (deploy, remove), DEBUG for a query. */
    private static void audit(Envelope request, String nodeId, String operator, String result) {
        boolean action = request.body() instanceof AdminMessage.Deploy || request.body() instanceof AdminMessage.Remove;
        if (action || AUDIT.isDebugEnabled()) {
            String line = String.format(java.util.Locale.ROOT, "node=%s operator=%s from=%s request=%s id=%s what=%s result=%s",
                    nodeId, operator, RefusalLog.clean(request.from()), request.kind(), request.id(), what(request.body()),
                    result);
            if (action) {
                AUDIT.info(line);
            } else {
                AUDIT.debug(line);
            }
        }
    }

    private static String what(Message body) {
        if (body instanceof AdminMessage.Deploy d) {
            return "spec-sha256:" + sha256(d.specYaml()).substring(0, 16) + " bytes:" + d.specYaml().length();
        }
        if (body instanceof AdminMessage.Remove r) {
            return "service:" + RefusalLog.clean(r.service());
        }
        return "-";
    }

    private static String result(Message reply) {
        if (reply instanceof AdminMessage.DeployReply d) {
            return d.outcome() + " service:" + d.service() + (d.problems().isEmpty() ? "" : " problems:" + d.problems().size());
        }
        if (reply instanceof AdminMessage.RemoveReply r) {
            return String.valueOf(r.outcome());
        }
        if (reply instanceof RootMessage.ErrorReply e) {
            return "error:" + e.code();
        }
        return "ok";
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static Message handle(Envelope request, HostedServices hosted, DescribeNode describe, RootControl root) {
        Message body = request.body();
        if (body instanceof AdminMessage.Deploy d) {
            return hosted.deploy(d.specYaml());
        }
        if (body instanceof AdminMessage.Remove r) {
            return hosted.remove(r.service());
        }
        if (body instanceof AdminMessage.StatsQuery) {
            return describe.stats();
        }
        if (body instanceof AdminMessage.NodesQuery) {
            return describe.nodes();
        }
        if (body instanceof AdminMessage.TreeRequest t) {
            return root.call(t.service(), new RootMessage.TreeQuery(t.service()))
                    .orElse(new RootMessage.ErrorReply("UNAVAILABLE", "no root control endpoint answered"));
        }
        return new RootMessage.ErrorReply("UNSUPPORTED", body.type() + " is not an admin request");
    }

    public int port() {
        return server.port();
    }

    public ServerStats stats() {
        return server.stats();
    }

    public long refused() {
        return refused.sum();
    }

    /** Refused requests by reason ({@code admin-bad-key}, {@code admin-replayed}, {@code admin-stale}, ...). */
    public Map<String, Long> refusals() {
        return refusals.counts();
    }

    @Override
    public void close() {
        server.close();
        gate.close(); // after the server: no request is checked any more
    }
}
