package dev.tendril.root.adapter.in.dns;

import dev.tendril.protocol.net.Cidr;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Response rate limiting in the style of BIND and Knot RRL: one token bucket per (client
 * prefix, kind of answer), where the kind is the name and type of a positive or NODATA
 * answer, the zone of an NXDOMAIN, or "an error" (REFUSED, FORMERR, SERVFAIL, ...).
 *
 * <p>A bucket earns {@code rate} tokens per second and holds at most {@code rate} (a
 * one-second burst); each response takes one. A response is sent while the bucket is not
 * in debt; beyond that it is dropped, and every {@code slip}-th dropped response is sent
 * instead as a truncated (TC) answer, so a real client behind a spoofed flood retries over
 * TCP, which is never limited. The debt is bounded at {@code window} seconds of tokens: a
 * prefix that keeps flooding stays limited until it has been quiet (or under the rate) for
 * up to that long.
 *
 * <p>Memory is bounded: a fixed table of {@code tableSize} entries, 4-way set-associative;
 * a new key takes an empty way of its set or the least recently refilled one. Every check
 * is O(1), takes no lock (compare-and-set on two {@link AtomicLongArray}s) and allocates
 * nothing for IPv4 clients. Two threads racing on one entry may each count the other's
 * response against a fresh entry: the limit is approximate by a response or two, as in
 * BIND. Exempt prefixes are consulted only for responses that would be limited.
 */
final class ResponseRateLimiter {
    /** What a response says, for the choice of its bucket and rate. */
    enum Kind { ANSWER, NXDOMAIN, ERROR }

    /** What to do with the response. */
    enum Verdict { SEND, DROP, SLIP }

    private static final int WAYS = 4;
    private static final int CAS_ATTEMPTS = 8;
    private static final long TOKEN_MASK = (1L << 28) - 1;
    private static final int SKEW_MILLIS = 60_000;

    private final AtomicLongArray keys;   // 0 = empty
    private final AtomicLongArray states; // [63..32] time (ms, low 32 bits) | [31..4] tokens (signed 28) | [3..0] slip count
    private final int setMask;
    private final long seed;
    private final int[] rates = new int[Kind.values().length];
    private final int windowSeconds;
    private final int slip;
    private final int ipv4Mask;
    private final long ipv6Mask;
    private final List<Cidr> exempt;

    /**
     * @param config the limits
     * @param seed   mixed into every key, so a client cannot aim its keys at one set of the table
     */
    ResponseRateLimiter(DnsConfig.RateLimit config, long seed) {
        int size = Integer.highestOneBit(Math.max(WAYS, config.tableSize() - 1)) << 1;
        keys = new AtomicLongArray(size);
        states = new AtomicLongArray(size);
        setMask = size / WAYS - 1;
        this.seed = seed;
        rates[Kind.ANSWER.ordinal()] = config.responsesPerSecond();
        rates[Kind.NXDOMAIN.ordinal()] = config.nxdomainsPerSecond();
        rates[Kind.ERROR.ordinal()] = config.errorsPerSecond();
        windowSeconds = config.windowSeconds();
        slip = config.slip();
        ipv4Mask = Cidr.ipv4Mask(config.ipv4PrefixLength());
        ipv6Mask = config.ipv6PrefixLength() == 0 ? 0 : -1L << (64 - config.ipv6PrefixLength());
        exempt = config.exempt().stream().map(Cidr::parse).toList();
    }

    /** Entries in the table (a power of two). */
    int capacity() {
        return keys.length();
    }

    /**
     * The verdict for one response to {@code client}.
     *
     * @param kindHash for ANSWER a hash of the (case-folded) name and type; for NXDOMAIN of the zone; unused for ERROR
     */
    Verdict check(InetAddress client, Kind kind, int kindHash, long nowMillis) {
        int rate = rates[kind.ordinal()];
        if (rate == 0) {
            return Verdict.SEND; // this kind is not limited
        }
        long key = key(client, kind, kind == Kind.ERROR ? 0 : kindHash);
        Verdict v = take(key, rate, nowMillis);
        if (v != Verdict.SEND && isExempt(client)) {
            return Verdict.SEND;
        }
        return v;
    }

    /**
     * A look before the work of answering: when the bucket of this key exists and has no whole
     * token left, takes one and returns DROP or SLIP; otherwise (no bucket, a token left, an
     * exempt client, an unlimited kind) changes nothing and returns null, and the response is
     * checked with {@link #check} once it is known. A flood of one question is thus refused
     * without resolving it.
     */
    Verdict checkIfInDebt(InetAddress client, Kind kind, int kindHash, long nowMillis) {
        int rate = rates[kind.ordinal()];
        if (rate == 0) {
            return null;
        }
        long key = key(client, kind, kind == Kind.ERROR ? 0 : kindHash);
        int slot = find((int) (key & setMask) * WAYS, key);
        if (slot < 0) {
            return null;
        }
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            long s = states.get(slot);
            if (keys.get(slot) != key || tokensAfterRefill(s, rate, nowMillis) >= 1 || isExempt(client)) {
                return null;
            }
            long next = debit(s, rate, nowMillis);
            if (states.compareAndSet(slot, s, next)) {
                return verdict(next);
            }
        }
        return null;
    }

    private static long tokensAfterRefill(long s, int rate, long nowMillis) {
        long tokens = ((s >> 4) & TOKEN_MASK) << 36 >> 36;
        long elapsed = elapsedMillis((int) (s >>> 32), nowMillis);
        return elapsed == Long.MAX_VALUE ? rate : Math.min(rate, tokens + elapsed * rate / 1000);
    }

    /**
     * Milliseconds from a bucket's time (the low 32 bits of the clock) to {@code nowMillis}.
     * Now may read a little behind the bucket's time: two query threads read the clock, and the
     * one that read it later may store its time first. That is no time at all (counted as the
     * full 32-bit distance, it refilled a flooding prefix's bucket: a second burst of answers).
     * Further behind than {@link #SKEW_MILLIS}, the 32-bit time wrapped (untouched for over 24
     * days) or the clock was set back: a long time, a full bucket.
     */
    private static long elapsedMillis(int time, long nowMillis) {
        int delta = (int) nowMillis - time;
        if (delta >= 0) {
            return delta;
        }
        return delta > -SKEW_MILLIS ? 0 : Long.MAX_VALUE;
    }

    /** The (client prefix, kind of response) this client's response is counted under, for logs. */
    String prefixOf(InetAddress client) {
        return client instanceof Inet4Address
                ? Cidr.of(client, Integer.bitCount(ipv4Mask)).toString()
                : Cidr.of(client, Long.bitCount(ipv6Mask)).toString();
    }

    /**
     * Whether {@code client} lies in an exempt network: checked on every limited answer, and so on
     * every answer to an exempt client over its rate ({@code Cidr.contains} allocates nothing for IPv4).
     */
    private boolean isExempt(InetAddress client) {
        for (Cidr c : exempt) {
            if (c.contains(client)) {
                return true;
            }
        }
        return false;
    }

    private long key(InetAddress client, Kind kind, int kindHash) {
        long prefix;
        if (client instanceof Inet4Address v4) {
            prefix = (Cidr.ipv4Bits(v4) & ipv4Mask) & 0xFFFFFFFFL;
        } else {
            byte[] a = client.getAddress();
            long high = 0;
            for (int i = 0; i < 8; i++) {
                high = high << 8 | (a[i] & 0xFF);
            }
            prefix = mix(high & ipv6Mask) ^ 0x5bd1e9955bd1e995L;
        }
        long h = mix(prefix ^ seed);
        h = mix(h ^ ((long) kind.ordinal() << 32 | (kindHash & 0xFFFFFFFFL)));
        return h == 0 ? 1 : h;
    }

    private Verdict take(long key, int rate, long nowMillis) {
        int base = (int) (key & setMask) * WAYS;
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            int slot = find(base, key);
            if (slot < 0) {
                int victim = victim(base, nowMillis);
                long old = keys.get(victim);
                if (keys.compareAndSet(victim, old, key)) {
                    states.set(victim, state(nowMillis, rate - 1, 0));
                    return Verdict.SEND;
                }
                continue;
            }
            long s = states.get(slot);
            long next = debit(s, rate, nowMillis);
            if (states.compareAndSet(slot, s, next)) {
                return verdict(next);
            }
        }
        return Verdict.SEND; // heavy contention on one set: fail open rather than spin
    }

    private int find(int base, long key) {
        for (int i = 0; i < WAYS; i++) {
            if (keys.get(base + i) == key) {
                return base + i;
            }
        }
        return -1;
    }

    /** An empty way of the set, else the one refilled longest ago. */
    private int victim(int base, long nowMillis) {
        int best = base;
        long bestAge = -1;
        for (int i = 0; i < WAYS; i++) {
            if (keys.get(base + i) == 0) {
                return base + i;
            }
            long age = elapsedMillis((int) (states.get(base + i) >>> 32), nowMillis);
            if (age > bestAge) {
                bestAge = age;
                best = base + i;
            }
        }
        return best;
    }

    /** The state after refilling for the time since the last refill and taking one token. */
    private long debit(long s, int rate, long nowMillis) {
        int time = (int) (s >>> 32);
        long tokens = ((s >> 4) & TOKEN_MASK) << 36 >> 36; // sign-extend 28 bits
        int slipCount = (int) (s & 0xF);
        long elapsed = elapsedMillis(time, nowMillis);
        if (elapsed > 0) {
            long earned = elapsed == Long.MAX_VALUE ? Long.MAX_VALUE : elapsed * rate / 1000;
            if (earned >= rate - tokens) {
                tokens = rate;
                time = (int) nowMillis;
            } else if (earned > 0) {
                tokens += earned;
                time += (int) (earned * 1000 / rate);
            }
        }
        tokens = Math.max(tokens - 1, -(long) rate * windowSeconds);
        if (tokens < 0 && slip > 0) {
            slipCount = (slipCount + 1) % slip;
        }
        return ((long) time << 32) | ((tokens & TOKEN_MASK) << 4) | slipCount;
    }

    /** Send while not in debt; in debt, every slip-th response slips (slip count back at 0), the others drop. */
    private Verdict verdict(long state) {
        long tokens = ((state >> 4) & TOKEN_MASK) << 36 >> 36;
        if (tokens >= 0) {
            return Verdict.SEND;
        }
        return slip > 0 && (state & 0xF) == 0 ? Verdict.SLIP : Verdict.DROP;
    }

    private static long state(long nowMillis, long tokens, int slipCount) {
        return ((nowMillis & 0xFFFFFFFFL) << 32) | ((tokens & TOKEN_MASK) << 4) | slipCount;
    }

    /** A 64-bit finaliser (MurmurHash3's fmix64): every input bit moves every output bit. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
