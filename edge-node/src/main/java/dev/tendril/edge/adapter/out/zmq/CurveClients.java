package dev.tendril.edge.adapter.out.zmq;

import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.CurveKeyPair;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The CURVE settings of this node's outgoing connections: its own key pair as the client
 * key; as server key the root's (from the config) or the peer platform's newest enrolled key
 * (from the root's key listing). Without keys (local preset on loopback) every connection is
 * plain.
 */
public final class CurveClients {
    private final Optional<CurveKeyPair> own;
    private final List<String> rootKeys;
    private final List<String> nextRootKeys;
    private final Function<String, Optional<String>> platformKeys;

    /**
     * @param rootKeys     server public key per root control endpoint, in order (one key: all roots)
     * @param platformKeys a platform's current public key, if enrolled
     */
    public CurveClients(Optional<CurveKeyPair> own, List<String> rootKeys, Function<String, Optional<String>> platformKeys) {
        this(own, rootKeys, List.of(), platformKeys);
    }

    /**
     * As above; {@code nextRootKeys}: the roots' next server keys (empty, one for all, or one per
     * root), tried when the current key gets no answer, so a root can rotate its key while running.
     */
    public CurveClients(Optional<CurveKeyPair> own, List<String> rootKeys, List<String> nextRootKeys,
                        Function<String, Optional<String>> platformKeys) {
        this.own = own;
        this.rootKeys = List.copyOf(rootKeys);
        this.nextRootKeys = List.copyOf(nextRootKeys);
        this.platformKeys = platformKeys;
        if (own.isPresent() && this.rootKeys.isEmpty()) {
            throw new IllegalArgumentException("a node with keys needs the roots' public keys");
        }
    }

    public static CurveClients clear() {
        return new CurveClients(Optional.empty(), List.of(), id -> Optional.empty());
    }

    public boolean enabled() {
        return own.isPresent();
    }

    /** The options for root control endpoint number {@code index} (0-based). */
    public ClientOptions toRoot(ClientOptions options, int index) {
        if (own.isEmpty()) {
            return options;
        }
        String key = rootKeys.get(Math.min(index, rootKeys.size() - 1));
        return options.withCurve(new ClientOptions.Curve(own.get(), key));
    }

    /**
     * Every listing of root control endpoint number {@code index}: with its current key, then with
     * its next key when one is published (see {@code security.nextRootKeys}).
     */
    public List<ClientOptions> toRootListings(ClientOptions options, int index) {
        ClientOptions current = toRoot(options, index);
        if (own.isEmpty() || nextRootKeys.isEmpty()) {
            return List.of(current);
        }
        String next = nextRootKeys.get(Math.min(index, nextRootKeys.size() - 1));
        return List.of(current, options.withCurve(new ClientOptions.Curve(own.get(), next)));
    }

    /**
     * The options for a peer platform's tree socket; plain when the platform is not enrolled
     * (the peer then refuses the connection, and the request times out).
     */
    public ClientOptions toPlatform(ClientOptions options, String platformId) {
        if (own.isEmpty()) {
            return options;
        }
        return platformKeys.apply(platformId).map(k -> options.withCurve(new ClientOptions.Curve(own.get(), k)))
                .orElse(options);
    }
}
