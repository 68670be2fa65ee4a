package dev.tendril.root.adapter.in.dns;

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
    private final LongAdder cookieQueries = new LongAdder();
    private final LongAdder tcpRefused = new LongAdder();
    private final LongAdder validCookies = new LongAdder();
    private final LongAdder[] rcodes = new LongAdder[RCODE_NAMES.length];

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
        m.put("cookieQueries", cookieQueries());
        m.put("validCookies", validCookies());
        for (int i = 0; i < rcodes.length; i++) {
            long n = rcodes[i].sum();
            if (n > 0) {
                m.put("rcode." + RCODE_NAMES[i], n);
            }
        }
        return m;
    }
}
