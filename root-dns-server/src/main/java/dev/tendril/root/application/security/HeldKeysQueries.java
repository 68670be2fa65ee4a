package dev.tendril.root.application.security;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeysUnchanged;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Key queries held as long polls: an edge that names the digest of the current listing waits
 * here until a key is enrolled or revoked (it is then answered with the new listing at once, so
 * a revocation reaches every held edge in one one-way trip) or until its hold runs out
 * ({@link KeysUnchanged}). Without this, every edge asked every heartbeat interval: at the
 * design's 100,000 nodes, 100,000 queries a second at the roots for a listing that rarely changes.
 *
 * <p>Bounded: past {@link #CAPACITY} held queries, or {@link #PER_CALLER} of one caller (an edge
 * holds one; a single enrolled platform must not take every place, nor the endpoint's in-flight
 * room that the places reserve), a query is answered at once (as before the long poll), and a
 * hold is at most {@link #MAX_HOLD_MILLIS}. Answers are completed on a thread of
 * this class, never on the caller's (the writer applies key changes); the thread ends when
 * nothing is held for a minute.
 */
final class HeldKeysQueries {
    static final int CAPACITY = 10_000;
    static final long MAX_HOLD_MILLIS = 30_000;
    /** Queries one caller may have held at once (one, a retry with a fresh id, a key rotation's overlap). */
    static final int PER_CALLER = 4;

    private record Held(String caller, String digest, CompletableFuture<RootMessage> reply) {
    }

    private final Set<Held> held = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> heldBy = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor thread;
    private final int capacity;
    private final int perCaller;

    HeldKeysQueries(String rootId) {
        this(rootId, CAPACITY, PER_CALLER);
    }

    HeldKeysQueries(String rootId, int capacity, int perCaller) {
        this.capacity = capacity;
        this.perCaller = perCaller;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "keys-held-" + rootId);
            t.setDaemon(true);
            return t;
        });
        thread.setKeepAliveTime(1, TimeUnit.MINUTES);
        thread.allowCoreThreadTimeOut(true);
        thread.setRemoveOnCancelPolicy(true);
    }

    /**
     * Holds a query that named {@code digest}, the current listing's (the caller checked it under
     * the lock its changes take, so no change can slip between the check and this) from
     * {@code caller} (its public key); empty when {@link #CAPACITY} queries, or {@link #PER_CALLER} of this caller's,
     * are held already (answer it at once).
     */
    Optional<CompletableFuture<RootMessage>> hold(String caller, String digest, long holdMillis) {
        if (held.size() >= capacity) {
            return Optional.empty();
        }
        if (heldBy.merge(caller, 1, Integer::sum) > perCaller) {
            release(caller);
            return Optional.empty();
        }
        Held h = new Held(caller, digest, new CompletableFuture<>());
        held.add(h);
        var expiry = thread.schedule(() -> answer(h, new KeysUnchanged(digest)), Math.min(holdMillis, MAX_HOLD_MILLIS),
                TimeUnit.MILLISECONDS);
        h.reply().whenComplete((m, e) -> expiry.cancel(false));
        return Optional.of(h.reply());
    }

    /** The keys changed: every held query whose digest is no longer the current one gets the new listing. */
    void changed(Supplier<KeyListing> current) {
        if (held.isEmpty()) {
            return;
        }
        thread.execute(() -> {
            KeyListing now = current.get();
            for (Held h : held) {
                if (!h.digest().equals(now.digest())) {
                    answer(h, now);
                }
            }
        });
    }

    /** Queries held now. */
    int size() {
        return held.size();
    }

    private void answer(Held h, RootMessage reply) {
        if (held.remove(h)) {
            release(h.caller());
            h.reply().complete(reply);
        }
    }

    private void release(String caller) {
        heldBy.computeIfPresent(caller, (k, n) -> n <= 1 ? null : n - 1);
    }
}
