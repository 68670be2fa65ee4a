package dev.tendril.edge.application.security;

import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.PeerKeys;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys enrolled at the root, as this edge last heard them (refreshed every heartbeat
 * interval, so a revocation reaches every edge within one). The tree socket admits the
 * platforms, the admin socket the operators (and the operators of the node's own config).
 * Until the first listing arrives no platform is admitted. Thread-safe: a listing replaces
 * the whole view at once.
 */
public final class EnrolledPeers {
    private record View(Map<String, EnrolledKey> byKey, Map<String, String> newestByPlatform, String digest) {
    }

    private final Map<String, Caller> configuredOperators;
    private volatile View view = new View(Map.of(), Map.of(), "");
    private volatile boolean heard;

    /**
     * @param configuredOperators operator name -> CURVE public key from the node's config
     */
    public EnrolledPeers(Map<String, String> configuredOperators) {
        Map<String, Caller> ops = new HashMap<>();
        configuredOperators.forEach((name, key) -> ops.put(key, Caller.operator(name, key)));
        this.configuredOperators = Map.copyOf(ops);
    }

    /** Replaces the view with the root's listing. */
    public void update(KeyListing listing) {
        Map<String, EnrolledKey> byKey = new HashMap<>();
        Map<String, String> newest = new HashMap<>();
        listing.keys().stream().sorted(Comparator.comparingLong(EnrolledKey::enrolledAtMillis)).forEach(k -> {
            byKey.put(k.publicKey(), k);
            if (k.role() == KeyRole.PLATFORM) {
                newest.put(k.name(), k.publicKey());
            }
        });
        view = new View(Map.copyOf(byKey), Map.copyOf(newest), listing.digest());
        heard = true;
    }

    /**
     * The root's digest of the listing held ("" before the first, or from an older root): the
     * next refresh names it, and the root answers "unchanged" while it is current.
     */
    public String digest() {
        return view.digest();
    }

    /** Forgets the digest (keeping the keys), so that the next refresh asks for the whole listing. */
    public void forgetDigest() {
        View v = view;
        view = new View(v.byKey(), v.newestByPlatform(), "");
    }

    /** Whether a listing has arrived since start. */
    public boolean heard() {
        return heard;
    }

    /** Enrolled platforms, for the tree socket. */
    public PeerKeys platforms() {
        return key -> Optional.ofNullable(view.byKey().get(key)).filter(k -> k.role() == KeyRole.PLATFORM)
                .map(k -> Caller.platform(k.name(), k.publicKey()));
    }

    /** Operators (enrolled at the root or named in the config), for the admin socket. */
    public PeerKeys operators() {
        return key -> {
            Caller configured = configuredOperators.get(key);
            if (configured != null) {
                return Optional.of(configured);
            }
            return Optional.ofNullable(view.byKey().get(key)).filter(k -> k.role() == KeyRole.OPERATOR)
                    .map(k -> Caller.operator(k.name(), k.publicKey()));
        };
    }

    /** The newest enrolled key of a platform (its tree socket's server key), if enrolled. */
    public Optional<String> platformKey(String platformId) {
        return Optional.ofNullable(view.newestByPlatform().get(platformId));
    }

    public int size() {
        return view.byKey().size();
    }

    /** The keys as the last listing gave them. */
    public List<EnrolledKey> keys() {
        return List.copyOf(view.byKey().values());
    }
}
