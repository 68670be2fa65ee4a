package dev.tendril.protocol.transport;

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
 */
public record ServerStats(long received, long handled, long duplicates, long malformed, long invalid,
                          long unknownType, long unknownVersion, long overloaded, long handlerFailures,
                          long replies, long refusedConnections, long refusedKeys, long forbidden,
                          long failedHandshakes) {

    /** All refusals for who the peer is or what it may ask. */
    public long refused() {
        return refusedConnections + refusedKeys + forbidden + failedHandshakes;
    }

    /** All frames dropped without an answer. */
    public long dropped() {
        return malformed + invalid + unknownType + unknownVersion + overloaded;
    }
}
