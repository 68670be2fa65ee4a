package dev.tendril.edge.selforg.adapter.out.deployment;

import dev.tendril.protocol.message.RootMessage.Membership;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The root's membership answers a replication candidate fetched ahead of a Replicate, on the
 * origin's {@code ReplicateSoon} hint: the Replicate then finds the answer (is the origin a
 * node of the tree, and this node's likely parents) here instead of waiting for that round trip.
 * An answer counts for {@link #FRESH} after it was asked for and for one Replicate; one still in
 * flight is waited for. At most {@link #MAX_ENTRIES} are held, so a peer's hints cost at most
 * that many root queries per {@link #FRESH}; hints beyond it are refused. Thread-safe.
 */
final class MembershipsAhead {
    /**
     * How long an answer fetched ahead stands in for the Replicate's own check. The origin's
     * decision follows its hint by a load window; a member that left the tree within this time
     * may still have one replica made for it (docs/security.md).
     */
    static final Duration FRESH = Duration.ofSeconds(30);
    static final int MAX_ENTRIES = 64;

    private record Key(String service, String origin) {
    }

    private record Entry(Instant askedAt, CompletableFuture<Optional<Membership>> answer) {
    }

    private final Clock clock;
    private final Map<Key, Entry> entries = new LinkedHashMap<>();

    MembershipsAhead(Clock clock) {
        this.clock = clock;
    }

    /** What {@link #fetch} did with a hint. */
    enum Fetch { STARTED, HELD_ALREADY, FULL }

    /**
     * Runs {@code query} on {@code worker} for the membership of {@code origin} in the tree of
     * {@code service}, unless a fresh answer (or one in flight) is held already or
     * {@link #MAX_ENTRIES} fresh ones are.
     */
    Fetch fetch(String service, String origin, Executor worker, Supplier<Optional<Membership>> query) {
        Key key = new Key(service, origin);
        CompletableFuture<Optional<Membership>> answer = new CompletableFuture<>();
        synchronized (this) {
            Instant now = clock.instant();
            dropStale(now);
            if (entries.containsKey(key)) {
                return Fetch.HELD_ALREADY;
            }
            if (entries.size() >= MAX_ENTRIES) {
                return Fetch.FULL;
            }
            entries.put(key, new Entry(now, answer));
        }
        worker.execute(() -> {
            try {
                answer.complete(query.get());
            } catch (RuntimeException e) {
                answer.complete(Optional.empty()); // the Replicate asks again
            }
        });
        return Fetch.STARTED;
    }

    /**
     * The fresh answer about {@code origin}, waiting for it when it is still in flight, and
     * forgotten here (one Replicate per answer); empty when none was fetched, it is stale, or the
     * root did not answer.
     */
    Optional<Membership> take(String service, String origin) {
        Entry e;
        synchronized (this) {
            e = entries.remove(new Key(service, origin));
        }
        if (e == null || !fresh(e, clock.instant())) {
            return Optional.empty();
        }
        try {
            return e.answer().get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException ee) {
            return Optional.empty();
        }
    }

    /** Answers held (fresh or in flight). */
    synchronized int size() {
        dropStale(clock.instant());
        return entries.size();
    }

    private void dropStale(Instant now) {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            if (!fresh(it.next(), now)) {
                it.remove();
            }
        }
    }

    private static boolean fresh(Entry e, Instant now) {
        return Duration.between(e.askedAt(), now).compareTo(FRESH) < 0;
    }
}
