package dev.tendril.root.application.security;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.EnrolKey;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
import dev.tendril.protocol.message.RootMessage.KeysUnchanged;
import dev.tendril.protocol.message.RootMessage.RevokeKey;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.PeerKeys;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.root.application.ControlErrors;
import dev.tendril.root.application.port.out.KeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The enrolled keys of platforms and operators: durable in the {@link KeyStore}, looked up
 * from memory (the root's control endpoint asks at every connection and request). The
 * bootstrap operators of the root's config are always admitted and cannot be revoked over
 * the wire (only by editing the config). Enrol and revoke are operator-only; the listing is
 * for every enrolled caller (edges keep their allowlist with it, naming the digest of the
 * listing they hold: unchanged, the answer is {@link KeysUnchanged}, or, when the query asks to be
 * held, the answer waits for a change or the end of the hold: {@link #holdIfUnchanged}).
 * The digest is computed from the listing's content, so replicated roots, which apply the
 * same key changes, give the same digest for the same keys.
 */
public final class KeyEnrolment implements PeerKeys {
    private static final Logger log = LoggerFactory.getLogger(KeyEnrolment.class);

    private final String rootId;
    private final KeyStore store;
    private final Clock clock;
    private final Map<String, Caller> bootstrap;
    private final Map<String, EnrolledKey> byKey = new ConcurrentHashMap<>();
    private final boolean replicated;
    /** The listing with its digest, built at the first KeysQuery after a change; null after a change. */
    private KeyListing listing;
    private final HeldKeysQueries held;

    /** Key queries held at once at most (long polls); more are answered at once. */
    public static final int MAX_HELD_QUERIES = HeldKeysQueries.CAPACITY;

    /**
     * A single root's enrolment: enrol and revoke are answered here, at once.
     *
     * @param bootstrapOperators operator name -> CURVE public key, from the root's config
     */
    public KeyEnrolment(String rootId, KeyStore store, Map<String, String> bootstrapOperators, Clock clock) {
        this(rootId, store, bootstrapOperators, clock, false);
    }

    /**
     * A replicated root's enrolment: {@link #handle} only authorises enrol and revoke (an
     * operator's request then goes to the control port, i.e. the Raft log); every root
     * applies the committed entries with {@link #apply} in log order, in the writer's
     * transaction ({@code store} is the topology repository), at the entry's time.
     */
    public static KeyEnrolment replicated(String rootId, KeyStore store, Map<String, String> bootstrapOperators) {
        return new KeyEnrolment(rootId, store, bootstrapOperators, null, true);
    }

    private KeyEnrolment(String rootId, KeyStore store, Map<String, String> bootstrapOperators, Clock clock,
                         boolean replicated) {
        this.rootId = rootId;
        this.store = store;
        this.clock = clock;
        this.replicated = replicated;
        Map<String, Caller> b = new java.util.HashMap<>();
        bootstrapOperators.forEach((name, key) -> b.put(key, Caller.operator(name, key)));
        this.bootstrap = Map.copyOf(b);
        this.held = new HeldKeysQueries(rootId);
        for (EnrolledKey k : store.all()) {
            byKey.put(k.publicKey(), k);
        }
    }

    @Override
    public Optional<Caller> callerOf(String z85PublicKey) {
        Caller b = bootstrap.get(z85PublicKey);
        if (b != null) {
            return Optional.of(b);
        }
        EnrolledKey k = byKey.get(z85PublicKey);
        if (k == null) {
            return Optional.empty();
        }
        return Optional.of(k.role() == KeyRole.OPERATOR ? Caller.operator(k.name(), k.publicKey())
                : Caller.platform(k.name(), k.publicKey()));
    }

    /** Keys enrolled (the bootstrap operators not counted). */
    public int size() {
        return byKey.size();
    }

    /**
     * Answers EnrolKey, RevokeKey and KeysQuery; empty for any other request. A replicated
     * root answers only KeysQuery and the refusals: an operator's EnrolKey or RevokeKey is
     * left (empty) for the control port, which commits it to the Raft log.
     */
    public Optional<RootMessage> handle(RootMessage request, Caller caller) {
        if (request instanceof KeysQuery q) {
            if (caller.role() == Caller.Role.ANONYMOUS) {
                return Optional.of(forbidden("only enrolled platforms and operators may list the keys"));
            }
            KeyListing current = listing();
            return Optional.of(current.digest().equals(q.knownDigest()) ? new KeysUnchanged(current.digest()) : current);
        } else if (request instanceof EnrolKey r) {
            if (!(caller.isOperator() || caller.isClear())) {
                return Optional.of(forbidden("only an operator may enrol keys"));
            }
            return replicated ? Optional.empty() : Optional.of(enrol(r, caller.describe(), clock.millis()));
        } else if (request instanceof RevokeKey r) {
            if (!(caller.isOperator() || caller.isClear())) {
                return Optional.of(forbidden("only an operator may revoke keys"));
            }
            return replicated ? Optional.empty() : Optional.of(revoke(r, caller.describe()));
        }
        return Optional.empty();
    }

    /**
     * A {@link KeysQuery} that asks to be held and names the digest of the current listing, from
     * an enrolled caller: its answer, which completes when a key is enrolled or revoked (the new
     * listing) or when the hold runs out ({@link KeysUnchanged}), on another thread. Empty for
     * any other request, and when {@link #MAX_HELD_QUERIES} are held already, or a few of this
     * caller's: {@link #handle} answers it at once.
     */
    public Optional<java.util.concurrent.CompletionStage<RootMessage>> holdIfUnchanged(RootMessage request, Caller caller) {
        if (!(request instanceof KeysQuery q) || q.holdMillis() <= 0 || caller.role() == Caller.Role.ANONYMOUS) {
            return Optional.empty();
        }
        synchronized (this) { // the changes take this lock: none slips between the check and the hold
            if (!listing().digest().equals(q.knownDigest())) {
                return Optional.empty();
            }
            // the share is per key, the identity the transport authenticated (describe() is a log
            // line with the key cut to 8 characters: two platforms could share it)
            return held.hold(caller.publicKey(), q.knownDigest(), q.holdMillis()).map(f -> f);
        }
    }

    /** Key queries held now (long polls). */
    public int heldQueries() {
        return held.size();
    }

    /** Whether the request is one {@link #apply} takes (a change of the enrolled keys). */
    public static boolean isKeyChange(RootMessage request) {
        return request instanceof EnrolKey || request instanceof RevokeKey;
    }

    /**
     * Applies a committed EnrolKey or RevokeKey of the Raft log (the operator was checked by the
     * root that proposed it) at the entry's time; the same reply on every root.
     */
    public RootMessage apply(RootMessage request, long atMillis) {
        if (request instanceof EnrolKey r) {
            return enrol(r, "the log", atMillis);
        } else if (request instanceof RevokeKey r) {
            return revoke(r, "the log");
        }
        throw new IllegalArgumentException(request.type() + " is not a key change");
    }

    /** Reads the keys again from the store (after a snapshot replaced it). */
    public synchronized void reload() {
        Map<String, EnrolledKey> fresh = new java.util.HashMap<>();
        for (EnrolledKey k : store.all()) {
            fresh.put(k.publicKey(), k);
        }
        byKey.keySet().retainAll(fresh.keySet());
        byKey.putAll(fresh);
        keysChanged();
        log.info("{}: {} enrolled keys reloaded from the store", rootId, fresh.size());
    }

    /** Under this object's lock: the listing is built again at its next use, and held queries get it. */
    private void keysChanged() {
        listing = null;
        held.changed(this::listing);
    }

    private static ErrorReply forbidden(String why) {
        return new ErrorReply(RequestServer.FORBIDDEN, why);
    }

    /** The current listing; synchronized with the changes, so a listing built during one is never kept. */
    private synchronized KeyListing listing() {
        if (listing == null) {
            List<EnrolledKey> keys = new ArrayList<>(byKey.values());
            bootstrap.values().forEach(c -> keys.add(new EnrolledKey(KeyRole.OPERATOR, c.name(), c.publicKey(), 0L)));
            keys.sort(java.util.Comparator.comparing(EnrolledKey::role).thenComparing(EnrolledKey::name)
                    .thenComparing(EnrolledKey::enrolledAtMillis).thenComparing(EnrolledKey::publicKey));
            listing = KeyListing.withDigest(keys);
        }
        return listing;
    }

    private synchronized RootMessage enrol(EnrolKey r, String who, long atMillis) {
        EnrolledKey existing = byKey.get(r.publicKey());
        Caller boot = bootstrap.get(r.publicKey());
        if (boot != null || (existing != null && (existing.role() != r.role() || !existing.name().equals(r.name())))) {
            String owner = boot != null ? "operator " + boot.name() : existing.role().label() + " " + existing.name();
            return new ErrorReply(ControlErrors.CONFLICT, "this key is already enrolled for " + owner);
        }
        if (existing == null) {
            EnrolledKey k = new EnrolledKey(r.role(), r.name(), r.publicKey(), atMillis);
            store.enrol(k);
            byKey.put(k.publicKey(), k);
            keysChanged();
            log.info("{}: {} enrolled a key of {} {} ({})", rootId, who, r.role().label(), r.name(), r.publicKey());
        } else if (replicated) {
            store.enrol(existing); // a batch rolled back and run again: the memory may be ahead of the store
        }
        return new Ack();
    }

    private synchronized RootMessage revoke(RevokeKey r, String who) {
        int n = store.revoke(r.role(), r.name(), r.publicKey());
        if (byKey.values().removeIf(k -> k.role() == r.role() && k.name().equals(r.name())
                && (r.publicKey().isEmpty() || k.publicKey().equals(r.publicKey())))) {
            keysChanged();
        }
        if (n == 0) {
            boolean configured = r.role() == KeyRole.OPERATOR
                    && bootstrap.values().stream().anyMatch(c -> c.name().equals(r.name()));
            return new ErrorReply(ControlErrors.NOT_FOUND, "no enrolled key of " + r.role().label() + " " + r.name()
                    + (r.publicKey().isEmpty() ? "" : " is " + r.publicKey())
                    + (configured ? " (" + r.name() + " is a bootstrap operator of the root's config, security.operatorKeys: "
                    + "remove it there and restart the root)" : ""));
        }
        log.info("{}: {} revoked {} key(s) of {} {}", rootId, who, n, r.role().label(), r.name());
        return new Ack();
    }
}
