package dev.tendril.protocol.transport;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Port: who a CURVE public key belongs to, asked by a {@link RequestServer} when a peer
 * connects (ZAP) and again for every request it sends, so an enrolment or a revocation takes
 * effect at once, for new and for open connections. Implementations are read on the server's
 * threads: they must be thread-safe and answer from memory.
 */
@FunctionalInterface
public interface PeerKeys {

    /** The enrolled caller behind {@code z85PublicKey}, or empty when the key is not (or no longer) admitted. */
    Optional<Caller> callerOf(String z85PublicKey);

    /** Admits every key (CURVE encrypts; the key says nothing more). */
    static PeerKeys anyKey() {
        return key -> Optional.of(Caller.anonymous(key));
    }

    /** Admits a fixed set of keys, each as an anonymous caller. */
    static PeerKeys fixed(Set<String> keys) {
        Set<String> copy = Set.copyOf(keys);
        copy.forEach(k -> CurveKeyPair.requireZ85Key("allowed client key", k));
        return key -> copy.contains(key) ? Optional.of(Caller.anonymous(key)) : Optional.empty();
    }

    /** Admits the keys of a map, each as the caller it maps to. */
    static PeerKeys of(Map<String, Caller> callers) {
        Map<String, Caller> copy = Map.copyOf(callers);
        return key -> Optional.ofNullable(copy.get(key));
    }

    /** This set, then {@code other} for the keys this one does not know. */
    default PeerKeys or(PeerKeys other) {
        return key -> {
            Optional<Caller> c = callerOf(key);
            return c.isPresent() ? c : other.callerOf(key);
        };
    }
}
