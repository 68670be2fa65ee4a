package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.application.QueryType;
import dev.tendril.root.application.ResolveService;
import dev.tendril.root.application.Resolution;
import dev.tendril.root.domain.Basis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * The query chain, transport-independent: drop what is not a query -> over UDP, the fast
 * path for the {@link CommonQuery common shape} (the rate limiter's look at the question's
 * bucket, then the {@link AnswerCache}: a hit is the stored answer with the query's id, RD and
 * name case; a miss goes on below and its answer is stored) -> parse with dnsjava
 * (failure -> FORMERR with the query's id) -> map to a {@code ServiceQuery} or a rejection
 * -> resolve -> DNS cookies (a server cookie for a client cookie) -> over UDP and without a
 * valid server cookie, the response rate limiter (send, drop, or slip: a truncated answer)
 * -> write. Never throws: an unexpected exception is counted, logged and
 * answered SERVFAIL.
 */
final class DnsQueryHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DnsQueryHandler.class);
    static final int TCP_MAX = 65535;
    /** Answers kept encoded for the fast path (bounded: at most ~250 bytes each). */
    static final int ANSWER_CACHE_ENTRIES = 8192;

    private final DnsQueryMapper mapper;
    private final ResolveService resolver;
    private final DnsResponseWriter writer;
    private final DnsMetrics metrics;
    private final int maxUdpPayload;
    private final Clock clock;
    private final ResponseRateLimiter limiter; // null: off
    private final FloodQuarantine quarantine;  // null: none
    private final ServerCookies cookies;       // null: off
    private final RefusalLog refusalLog = new RefusalLog(10_000);
    private final AnswerCache answers = new AnswerCache(ANSWER_CACHE_ENTRIES);

    DnsQueryHandler(DnsConfig config, ResolveService resolver, DnsMetrics metrics) {
        this(config, resolver, metrics, Clock.systemUTC(), new SecureRandom());
    }

    /**
     * @param clock  times the rate limiter's buckets and stamps server cookies
     * @param random seeds the rate limiter's keys and makes the cookie secret when none is configured
     */
    DnsQueryHandler(DnsConfig config, ResolveService resolver, DnsMetrics metrics, Clock clock, RandomGenerator random) {
        this(config, resolver, metrics, clock, random, null);
    }

    /**
     * @param quarantine told of every client whose response the rate limiter limited (null: none)
     */
    DnsQueryHandler(DnsConfig config, ResolveService resolver, DnsMetrics metrics, Clock clock, RandomGenerator random,
                    FloodQuarantine quarantine) {
        this.quarantine = quarantine;
        this.mapper = new DnsQueryMapper(config);
        this.resolver = resolver;
        this.writer = new DnsResponseWriter(config);
        this.metrics = metrics;
        this.maxUdpPayload = config.maxUdpPayload();
        this.clock = clock;
        this.limiter = config.rateLimit().enabled() ? new ResponseRateLimiter(config.rateLimit(), random.nextLong()) : null;
        this.cookies = config.cookies().enabled() ? new ServerCookies(secret(config.cookies(), random)) : null;
    }

    /** The response to {@code wire} from {@code source}, or null when nothing is to be sent. */
    byte[] handle(byte[] wire, InetAddress source, boolean tcp) {
        long startNanos = metrics.observed() ? System.nanoTime() : 0; // read only for an observer (a clock read per query)
        metrics.countQuery(tcp);
        if (wire.length < Header.LENGTH || (wire[2] & 0x80) != 0) {
            metrics.countDropped(); // no id to answer to, or a response: never answer responses
            return null;
        }
        CommonQuery common = tcp ? null : CommonQuery.parse(wire, source);
        if (common == null) {
            return parsed(wire, source, tcp, startNanos, null, 0, null);
        }
        // the fast path: the rate limiter's look first (a flood of one question stops here),
        // then the answer cache; a miss is answered by dnsjava below and stored
        long now = limiter != null ? clock.millis() : 0;
        if (limiter != null) {
            ResponseRateLimiter.Verdict early = limiter.checkIfInDebt(source, ResponseRateLimiter.Kind.ANSWER,
                    common.answerHash(), now);
            if (early != null) {
                count(early, source, ResponseRateLimiter.Kind.ANSWER, true);
                return early == ResponseRateLimiter.Verdict.SLIP ? common.truncated(wire) : null;
            }
        }
        long version = resolver.directoryVersion();
        Object geo = resolver.locatorGeneration();
        AnswerCache.Entry hit = answers.get(common, version, geo);
        if (hit == null) {
            return parsed(wire, source, false, startNanos, common, version, geo);
        }
        if (limiter != null) {
            ResponseRateLimiter.Verdict v = limiter.check(source, hit.kind(), hit.kindHash(), now);
            if (v != ResponseRateLimiter.Verdict.SEND) {
                count(v, source, hit.kind(), true);
                return v == ResponseRateLimiter.Verdict.SLIP ? common.truncated(wire) : null;
            }
        }
        metrics.countAnswerCacheHit();
        metrics.countRcode(hit.rcode());
        metrics.countCachedAnswer(hit, common.hasEcs(), startNanos);
        return common.patch(hit.response(), wire);
    }

    /** The answer the dnsjava path gives, without the fast path and without storing it (for tests). */
    byte[] handleWithDnsjava(byte[] wire, InetAddress source) {
        return parsed(wire, source, false, System.nanoTime(), null, 0, null);
    }

    /**
     * The dnsjava path. When {@code common} is not null the answer is stored in the cache under
     * {@code version} and {@code geo} (read before resolving), if it cannot change on its own.
     */
    private byte[] parsed(byte[] wire, InetAddress source, boolean tcp, long startNanos, CommonQuery common,
                          long version, Object geo) {
        Message message;
        try {
            message = new Message(wire);
        } catch (Exception e) { // WireParseException mostly; dnsjava may throw others on garbage
            metrics.countMalformed();
            if (!tcp && limitedError(source) != ResponseRateLimiter.Verdict.SEND) {
                return null;
            }
            metrics.countRcode(Rcode.FORMERR);
            return DnsResponseWriter.headerOnly(wire, Rcode.FORMERR);
        }
        try {
            DnsRequest request = mapper.map(message, source);
            CookieCheck cookie = cookie(request, source);
            boolean limitable = !tcp && limiter != null && !cookie.valid();
            if (limitable && request.query() != null) {
                // a flood of one question: while its bucket is in debt, do not even resolve it
                ResponseRateLimiter.Verdict early = limiter.checkIfInDebt(source, ResponseRateLimiter.Kind.ANSWER,
                        answerHash(request), clock.millis());
                if (early != null) {
                    return refused(early, request, source, ResponseRateLimiter.Kind.ANSWER);
                }
            }
            Resolution resolution = request.settled() != null ? request.settled() : resolver.resolve(request.query());
            if (limitable) {
                ResponseRateLimiter.Kind kind = kindOf(resolution);
                ResponseRateLimiter.Verdict v = limiter.check(source, kind, kindHash(request, resolution), clock.millis());
                if (v != ResponseRateLimiter.Verdict.SEND) {
                    return refused(v, request, source, kind);
                }
            }
            int max = tcp ? TCP_MAX : Math.min(maxUdpPayload, request.requesterUdpPayload());
            byte[] out = writer.write(request, resolution, max, cookie.reply());
            int rcode = DnsResponseWriter.rcodeOf(resolution);
            metrics.countRcode(rcode);
            metrics.countAnswer(request, resolution, rcode, tcp, startNanos);
            if ((out[2] & 0x02) != 0) { // TC
                metrics.countTruncated();
            } else if (common != null && cookie.reply() == null && holdsUntilChanged(resolution)) {
                String service = DnsMetrics.serviceOf(request, resolution);
                Basis basis = service.isEmpty() ? Basis.NONE : ((Resolution.Found) resolution).basis();
                answers.put(new AnswerCache.Entry(common.key(), out, version, geo, kindOf(resolution),
                        kindHash(request, resolution), rcode,
                        request.query() != null ? request.query().type() : QueryType.OTHER, service, basis), common.hash());
            }
            return out;
        } catch (RuntimeException e) {
            metrics.countUnexpectedError();
            metrics.countRcode(Rcode.SERVFAIL);
            LOG.warn("unexpected error answering query id {} from {}", message.getHeader().getID(), source, e);
            return DnsResponseWriter.headerOnly(wire, Rcode.SERVFAIL);
        }
    }

    /** The COOKIE option of the response (null: none) and whether the query's server cookie is valid. */
    private record CookieCheck(CookieOption reply, boolean valid) {
        static final CookieCheck NONE = new CookieCheck(null, false);
    }

    private CookieCheck cookie(DnsRequest request, InetAddress source) {
        if (cookies == null || request.cookie() == null) {
            return CookieCheck.NONE;
        }
        long seconds = clock.millis() / 1000;
        byte[] client = request.cookie().getClientCookie();
        byte[] server = request.cookie().getServerCookie().orElse(null);
        boolean valid = server != null && cookies.valid(client, server, source, seconds);
        metrics.countCookie(valid);
        // a bad or expired server cookie counts as none: the client gets a fresh one
        return new CookieCheck(new CookieOption(client, cookies.make(client, source, seconds)), valid);
    }

    /** A limited response: nothing (DROP) or the truncated answer (SLIP); counted, logged at most once per interval per client. */
    private byte[] refused(ResponseRateLimiter.Verdict v, DnsRequest request, InetAddress source, ResponseRateLimiter.Kind kind) {
        count(v, source, kind, request != null);
        return v == ResponseRateLimiter.Verdict.SLIP && request != null ? writer.truncated(request) : null;
    }

    /**
     * The rate limiter's verdict for an unparsable message (SEND when it is off); a slip is
     * dropped as well: there is no question to echo.
     */
    private ResponseRateLimiter.Verdict limitedError(InetAddress source) {
        if (limiter == null) {
            return ResponseRateLimiter.Verdict.SEND;
        }
        ResponseRateLimiter.Verdict v = limiter.check(source, ResponseRateLimiter.Kind.ERROR, 0, clock.millis());
        if (v != ResponseRateLimiter.Verdict.SEND) {
            count(v, source, ResponseRateLimiter.Kind.ERROR, false);
        }
        return v;
    }

    private void count(ResponseRateLimiter.Verdict v, InetAddress source, ResponseRateLimiter.Kind kind, boolean canSlip) {
        if (v == ResponseRateLimiter.Verdict.DROP || !canSlip) {
            metrics.countRateLimitDropped();
        } else {
            metrics.countRateLimitSlipped();
        }
        long now = clock.millis();
        if (quarantine != null) {
            quarantine.limited(source, now);
        }
        if (refusalLog.mayLog(source.hashCode(), now)) {
            LOG.info("rate limit: {} responses to {} (counted per {}) beyond the limit are dropped or sent truncated"
                    + " (totals: {} dropped, {} truncated)", kind, source.getHostAddress(), limiter.prefixOf(source),
                    metrics.rateLimitDropped(), metrics.rateLimitSlipped());
        }
    }

    private static byte[] secret(DnsConfig.Cookies c, RandomGenerator random) {
        if (!c.secret().isEmpty()) {
            return HexFormat.of().parseHex(c.secret());
        }
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        return secret;
    }

    private static ResponseRateLimiter.Kind kindOf(Resolution r) {
        int rcode = DnsResponseWriter.rcodeOf(r);
        return rcode == Rcode.NOERROR ? ResponseRateLimiter.Kind.ANSWER
                : rcode == Rcode.NXDOMAIN ? ResponseRateLimiter.Kind.NXDOMAIN : ResponseRateLimiter.Kind.ERROR;
    }

    /** Answers: the name and type; NXDOMAIN: the zone. */
    private static int kindHash(DnsRequest request, Resolution r) {
        if (request.question() == null) {
            return 0;
        }
        if (r instanceof Resolution.NoSuchName && request.zone() != null) {
            return request.zone().hashCode();
        }
        return answerHash(request);
    }

    /** The name (folded to lower case) and type of the question; the same hash as {@link CommonQuery#answerHash()}. */
    private static int answerHash(DnsRequest request) {
        return CommonQuery.answerHashOf(request.question().getName().toWireCanonical(), request.question().getType());
    }

    /**
     * Whether an answer stays what it is until the directory or the GeoIP databases change:
     * not one that rests on a migration record (its TTL counts down, it ends at the record's
     * expiry), nor NODATA (it may rest on one too). Kept to the kinds the common shape gets.
     */
    private static boolean holdsUntilChanged(Resolution r) {
        return r instanceof Resolution.Found f ? f.basis() != Basis.MIGRATION
                : r instanceof Resolution.NoSuchName || r instanceof Resolution.Rejected;
    }

}
