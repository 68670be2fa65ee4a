package dev.tendril.root.adapter.in.dns;

import dev.tendril.root.application.QueryType;
import dev.tendril.root.domain.Basis;

import java.util.Arrays;

/**
 * Encoded answers to {@link CommonQuery common queries}, so that most queries are a lookup
 * and a patch of id, RD and name case. An entry holds for the directory version and the
 * GeoIP databases it was resolved against: any change to instances or migration records, or
 * a GeoIP reload, makes every older entry a miss. Only answers that cannot change on their
 * own are stored (never one resting on a migration record: its TTL counts down and it ends
 * at the record's expiry); see {@link DnsQueryHandler}.
 *
 * <p>A fixed, direct-mapped table: bounded memory (about {@code size} x 250 bytes at most),
 * O(1), no lock. Entries are immutable; a thread that sees an older entry or none resolves
 * the query again, which is always correct.
 */
final class AnswerCache {
    /**
     * One stored answer and what the query path needs besides its bytes: the rate limiter's
     * kind and hash, and what the metrics count.
     */
    record Entry(byte[] key, byte[] response, long version, Object geo, ResponseRateLimiter.Kind kind, int kindHash,
                 int rcode, QueryType type, String service, Basis basis) {
    }

    private final Entry[] table;
    private final int mask;

    /** @param size entries (rounded up to a power of two) */
    AnswerCache(int size) {
        int n = Integer.highestOneBit(Math.max(16, size - 1)) << 1;
        table = new Entry[n];
        mask = n - 1;
    }

    /** The entry for {@code q} stored at this directory version and GeoIP generation, or null. */
    Entry get(CommonQuery q, long version, Object geo) {
        Entry e = table[slot(q.hash())];
        if (e == null || e.version() != version || e.geo() != geo || !Arrays.equals(e.key(), q.key())) {
            return null;
        }
        return e;
    }

    void put(Entry e, int hash) {
        table[slot(hash)] = e;
    }

    private int slot(int hash) {
        return (hash ^ (hash >>> 16)) & mask;
    }
}
