package dev.tendril.edge.testing;

import dev.tendril.protocol.message.AdminAuth;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/** Signs and sends admin requests, as tendrilctl does (for edge-node tests). */
public final class AdminClient implements AutoCloseable {
    private final String key;
    private final RequestClient client;
    private final java.security.SecureRandom random = new java.security.SecureRandom();

    public AdminClient(String endpoint, String key) {
        this.key = key;
        // one attempt (as tendrilctl): within it a stalled connection is replaced and the request retried
        this.client = new RequestClient(ClientOptions.of(endpoint).withRetries(Duration.ofSeconds(20), 1));
    }

    public Optional<Message> send(MessageType type, String payload, Function<String, AdminMessage.Request> build) {
        AdminAuth.Signed request = AdminAuth.signed(key, "test", type, payload, build, random);
        RequestResult r = client.request(request.first(), request.retry());
        return r instanceof RequestResult.Reply reply ? Optional.of(reply.envelope().body()) : Optional.empty();
    }

    public Message deploy(String spec) {
        return send(MessageType.ADMIN_DEPLOY, spec, a -> new AdminMessage.Deploy(a, spec)).orElseThrow();
    }

    public Message remove(String service) {
        return send(MessageType.ADMIN_REMOVE, service, a -> new AdminMessage.Remove(a, service)).orElseThrow();
    }

    public Message stats() {
        return send(MessageType.ADMIN_STATS_QUERY, "", AdminMessage.StatsQuery::new).orElseThrow();
    }

    /** A counter of the node's stats, e.g. "tree.malformed". */
    public long counter(String name) {
        Message reply = stats();
        if (!(reply instanceof AdminMessage.StatsReply s)) {
            throw new AssertionError("stats answered " + reply);
        }
        return s.counters().stream().filter(f -> f.name().equals(name)).mapToLong(f -> Long.parseLong(f.value()))
                .findFirst().orElseThrow(() -> new AssertionError("no counter " + name + " in " + s.counters()));
    }

    /**
     * Connections replaced because their handshake looked stalled; each sent a retry of the
     * request, and the first may still have arrived: a server may see up to 1 + this many copies.
     */
    public long resends() {
        return client.stalledConnects();
    }

    @Override
    public void close() {
        client.close();
    }
}
