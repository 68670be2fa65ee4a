package dev.tendril.cli.load;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;

import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;

/** One request client per load thread, with the reply checked: anything but the expected reply fails the run. */
final class ControlLoad implements AutoCloseable {
    private final RequestClient client;
    private final EnvelopeFactory envelopes;

    ControlLoad(String endpoint, long seed) {
        this.client = new RequestClient(ClientOptions.of(endpoint).withRetries(Duration.ofSeconds(5), 3));
        this.envelopes = new EnvelopeFactory("tendril-load", Clock.systemUTC(), new SplittableRandom(seed));
    }

    /** Sends and returns the reply body; throws with the root's error or a timeout. */
    Message call(String service, Message request) {
        RequestResult result = client.request(envelopes.create(service, request));
        if (result instanceof RequestResult.Reply reply) {
            if (reply.envelope().body() instanceof RootMessage.ErrorReply error) {
                throw new IllegalStateException("root refused " + request.type() + ": " + error.code() + " " + error.message());
            }
            return reply.envelope().body();
        }
        throw new IllegalStateException("no reply to " + request.type() + " after " + ((RequestResult.TimedOut) result).attempts() + " attempts");
    }

    @Override
    public void close() {
        client.close();
    }

    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100.0 * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }
}
