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
        ClientOptions options = ClientOptions.of(endpoint).withRetries(Duration.ofSeconds(5), 3);
        // CURVE from TENDRIL_CURVE_KEY and TENDRIL_ROOT_KEY when set, as tendrilctl
        this.client = new RequestClient(dev.tendril.protocol.keys.CurveEnvironment.toRoot(System.getenv())
                .map(options::withCurve).orElse(options));
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

    /** One load thread's work: fills {@code latencies} with the nanoseconds each acknowledged request took. */
    interface Worker {
        void run(int thread, java.util.List<Long> latencies) throws Exception;
    }

    /** Runs {@code threads} workers in parallel and returns every request's latency, sorted (nanoseconds). */
    static long[] runThreads(int threads, Worker worker) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<java.util.List<Long>>> parts = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                parts.add(pool.submit(() -> {
                    java.util.List<Long> latencies = new java.util.ArrayList<>();
                    worker.run(thread, latencies);
                    return latencies;
                }));
            }
            java.util.List<Long> all = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<java.util.List<Long>> f : parts) {
                all.addAll(f.get());
            }
            return all.stream().mapToLong(Long::longValue).sorted().toArray();
        } finally {
            pool.shutdown();
        }
    }

    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100.0 * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }
}
