package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.application.QueryType;
import dev.tendril.root.application.Resolution;
import dev.tendril.root.domain.Basis;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the DNS front end; cheap to update from many threads. */
public final class DnsMetrics {
    private static final String[] RCODE_NAMES = {
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
        "NOTAUTH", "NOTZONE", "RCODE11", "RCODE12", "RCODE13", "RCODE14", "RCODE15", "BADVERS"};

    private final LongAdder udpQueries = new LongAdder();
    private final LongAdder tcpQueries = new LongAdder();
    private final LongAdder tcpConnections = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder truncated = new LongAdder();
    private final LongAdder unexpectedErrors = new LongAdder();
    private final LongAdder rateLimitDropped = new LongAdder();
    private final LongAdder rateLimitSlipped = new LongAdder();
    private final LongAdder quarantined = new LongAdder();
    private final LongAdder xdpAnswers = new LongAdder();
    private final LongAdder cookieQueries = new LongAdder();
    private final LongAdder tcpRefused = new LongAdder();
    private final LongAdder validCookies = new LongAdder();
    private final LongAdder answerCacheHits = new LongAdder();
    private final LongAdder[] rcodes = new LongAdder[RCODE_NAMES.length];
    private volatile AnswerObserver observer;

    /**
     * Told of every parsed query once it is answered: what the counters above do not split
     * by (question type, ECS, service, basis, time to answer). The metrics exporter is one;
     * none is set unless metrics are exported, and then the query path pays one call.
     */
    public interface AnswerObserver {
        /**
         * @param service the service answered for (a name of the directory), or empty when the
         *                answer was not about a service's instances (apex, nodes, errors)
         * @param basis   why the answer holds what it holds; NONE when not a service answer
         * @param nanos   from the query's arrival at the handler to its written response
         */
        void answered(QueryType type, int rcode, boolean tcp, boolean ecs, String service, Basis basis, long nanos);
    }

    public DnsMetrics() {
        for (int i = 0; i < rcodes.length; i++) {
            rcodes[i] = new LongAdder();
        }
    }

    void countQuery(boolean tcp) {
        (tcp ? tcpQueries : udpQueries).increment();
    }

    void countTcpConnection() {
        tcpConnections.increment();
    }

    void countDropped() {
        dropped.increment();
    }

    void countMalformed() {
        malformed.increment();
    }

    void countTruncated() {
        truncated.increment();
    }

    void countUnexpectedError() {
        unexpectedErrors.increment();
    }

    void countAnswerCacheHit() {
        answerCacheHits.increment();
    }

    /** UDP queries answered from the answer cache (the fast path), without dnsjava. */
    public long answerCacheHits() {
        return answerCacheHits.sum();
    }

    void countTcpRefused() {
        tcpRefused.increment();
    }

    /** TCP connections closed at once: over the total or per-address cap. */
    public long tcpRefused() {
        return tcpRefused.sum();
    }

    void countCookie(boolean valid) {
        cookieQueries.increment();
        if (valid) {
            validCookies.increment();
        }
    }

    /** Queries with a COOKIE option (each answered with a fresh server cookie). */
    public long cookieQueries() {
        return cookieQueries.sum();
    }

    /** Queries whose server cookie was valid (exempt from the rate limit). */
    public long validCookies() {
        return validCookies.sum();
    }

    void countRateLimitDropped() {
        rateLimitDropped.increment();
    }

    void countRateLimitSlipped() {
        rateLimitSlipped.increment();
    }

    /** UDP answers not sent: beyond the rate limit (RRL). */
    public long rateLimitDropped() {
        return rateLimitDropped.sum();
    }

    /** UDP answers beyond the rate limit sent truncated (TC, no records) instead: the slip. */
    public long rateLimitSlipped() {
        return rateLimitSlipped.sum();
    }

    void countQuarantined(int networks) {
        quarantined.add(networks);
    }

    /** Rate-limited networks put in quarantine (UDP steered to a socket and thread of their own), so far. */
    public long quarantined() {
        return quarantined.sum();
    }

    void countXdpAnswer() {
        xdpAnswers.increment();
    }

    /** UDP answers sent through AF_XDP ({@code dns.xdpInterfaces}), so far. */
    public long xdpAnswers() {
        return xdpAnswers.sum();
    }

    /** Whether an observer is set: the query path reads the clock for it only then. */
    boolean observed() {
        return observer != null;
    }

    /** Sets the one observer of answered queries (null: none). */
    public void observe(AnswerObserver answers) {
        this.observer = answers;
    }

    void countAnswer(DnsRequest request, Resolution resolution, int rcode, boolean tcp, long startNanos) {
        AnswerObserver o = observer;
        if (o == null) {
            return;
        }
        long nanos = elapsedSince(startNanos);
        QueryType type = request.query() != null ? request.query().type() : QueryType.OTHER;
        String service = serviceOf(request, resolution); // <service> or _<port>._<proto>.<service>: a directory name
        Basis basis = service.isEmpty() ? Basis.NONE : ((Resolution.Found) resolution).basis();
        o.answered(type, rcode, tcp, request.ecs() != null, service, basis, nanos);
    }

    /** {@link #countAnswer} for a UDP answer from the answer cache (what it counts was stored with the answer). */
    void countCachedAnswer(AnswerCache.Entry e, boolean ecs, long startNanos) {
        AnswerObserver o = observer;
        if (o != null) {
            o.answered(e.type(), e.rcode(), false, ecs, e.service(), e.basis(), elapsedSince(startNanos));
        }
    }

    /** 0 for a query that arrived before the observer was set (its start was not read). */
    private static long elapsedSince(long startNanos) {
        return startNanos == 0 ? 0 : System.nanoTime() - startNanos;
    }

    /** The service and basis {@link #countAnswer} reports for an answer: "" and NONE unless it is about a service's instances. */
    static String serviceOf(DnsRequest request, Resolution resolution) {
        if (resolution instanceof Resolution.Found f && f.basis() != Basis.NONE && request.query() != null
                && !request.query().labels().isEmpty()) {
            var labels = request.query().labels();
            return labels.get(labels.size() - 1);
        }
        return "";
    }

    void countRcode(int rcode) {
        if (rcode >= 0 && rcode < rcodes.length) {
            rcodes[rcode].increment();
        }
    }

    public long udpQueries() {
        return udpQueries.sum();
    }

    public long tcpQueries() {
        return tcpQueries.sum();
    }

    /** TCP connections accepted. */
    public long tcpConnections() {
        return tcpConnections.sum();
    }

    /** Messages not answered (shorter than a header, or responses rather than queries). */
    public long dropped() {
        return dropped.sum();
    }

    /** Messages answered FORMERR because they could not be parsed. */
    public long malformed() {
        return malformed.sum();
    }

    /** UDP answers sent with TC set. */
    public long truncated() {
        return truncated.sum();
    }

    /** Exceptions that escaped the query chain (bugs): answered SERVFAIL and counted here. */
    public long unexpectedErrors() {
        return unexpectedErrors.sum();
    }

    /** Responses sent with this response code (0-16). */
    public long responses(int rcode) {
        return rcode >= 0 && rcode < rcodes.length ? rcodes[rcode].sum() : 0;
    }

    /** Every counter by name, for logs and status output. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("udpQueries", udpQueries());
        m.put("tcpQueries", tcpQueries());
        m.put("tcpConnections", tcpConnections());
        m.put("tcpRefused", tcpRefused());
        m.put("dropped", dropped());
        m.put("malformed", malformed());
        m.put("truncated", truncated());
        m.put("unexpectedErrors", unexpectedErrors());
        m.put("rateLimitDropped", rateLimitDropped());
        m.put("rateLimitSlipped", rateLimitSlipped());
        m.put("quarantined", quarantined());
        m.put("xdpAnswers", xdpAnswers());
        m.put("cookieQueries", cookieQueries());
        m.put("validCookies", validCookies());
        m.put("answerCacheHits", answerCacheHits());
        for (int i = 0; i < rcodes.length; i++) {
            long n = rcodes[i].sum();
            if (n > 0) {
                m.put("rcode." + RCODE_NAMES[i], n);
            }
        }
        return m;
    }
}
