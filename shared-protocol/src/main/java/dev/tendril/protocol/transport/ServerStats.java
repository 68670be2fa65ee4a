package dev.tendril.protocol.transport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Counters of a {@link RequestServer} since it started.
 *
 * @param received        frames received (well-formed or not)
 * @param handled         requests the handler ran for
 * @param duplicates      retried requests answered from the dedupe cache or joined to one in progress
 * @param malformed       frames dropped as malformed (bad body or routing frames)
 * @param invalid         frames dropped because a record refused a field
 * @param unknownType     frames dropped for an unknown message type
 * @param unknownVersion  frames dropped for an unknown protocol version
 * @param overloaded      requests dropped because {@code maxInFlight} were in progress
 * @param handlerFailures handler calls that threw (answered with ErrorReply INTERNAL)
 * @param replies         reply frames sent (first replies and repeats)
 * @param refusedConnections CURVE connections refused by ZAP: no key, or a key not enrolled
 * @param refusedKeys     requests on an open connection whose key is no longer enrolled
 *                        (revoked), answered {@code UNAUTHENTICATED}
 * @param forbidden       requests the handler refused for the caller (answered {@code FORBIDDEN}
 *                        or {@code UNAUTHENTICATED})
 * @param failedHandshakes connections to a CURVE socket closed before their handshake: a
 *                        client in clear (no key), another mechanism, or no ZMTP at all
 * @param inline          requests (of those handled) the handler took on the socket's own thread,
 *                        without a handler thread in between ({@link ServerOptions#withInline})
 */
public record ServerStats(long received, long handled, long duplicates, long malformed, long invalid,
                          long unknownType, long unknownVersion, long overloaded, long handlerFailures,
                          long replies, long refusedConnections, long refusedKeys, long forbidden,
                          long failedHandshakes, long inline) {

    /**
     * The per-outcome frame counters as exported by the metrics of every socket (label value ->
     * counter), in export order: what the server did with frames, then the refusals of who the
     * peer is (CURVE/ZAP) and of what it may ask (policy). {@code replies} is not among them.
     */
    public static final Map<String, ToLongFunction<ServerStats>> OUTCOMES = outcomes();

    private static Map<String, ToLongFunction<ServerStats>> outcomes() {
        Map<String, ToLongFunction<ServerStats>> m = new LinkedHashMap<>();
        m.put("received", ServerStats::received);
        m.put("handled", ServerStats::handled);
        m.put("duplicate", ServerStats::duplicates);
        m.put("malformed", ServerStats::malformed);
        m.put("invalid", ServerStats::invalid);
        m.put("unknown_type", ServerStats::unknownType);
        m.put("unknown_version", ServerStats::unknownVersion);
        m.put("overloaded", ServerStats::overloaded);
        m.put("handler_failure", ServerStats::handlerFailures);
        m.put("refused_connection", ServerStats::refusedConnections);
        m.put("refused_key", ServerStats::refusedKeys);
        m.put("forbidden", ServerStats::forbidden);
        m.put("failed_handshake", ServerStats::failedHandshakes);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** All refusals for who the peer is or what it may ask. */
    public long refused() {
        return refusedConnections + refusedKeys + forbidden + failedHandshakes;
    }

    /** All frames dropped without an answer. */
    public long dropped() {
        return malformed + invalid + unknownType + unknownVersion + overloaded;
    }
}
