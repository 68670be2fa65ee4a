package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One request per FRESH client (a new connection each time, as {@code tendrilctl} makes), to a
 * local server: shows what the JeroMQ connect stall costs (see {@link HandshakeWatch}). Prints
 * latency percentiles and how many connections were replaced for a stalled handshake; asserts
 * nothing about time. Not part of the suite; run
 * <pre>
 * mvn -q -o -pl shared-protocol -am test -Dtest=FreshConnectBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * ({@code -Dbench.requests=N}, default 2,000 per client kind).
 */
class FreshConnectBenchmark {
    private final int requests = Integer.getInteger("bench.requests", 2_000);
    private final Clock clock = Clock.systemUTC();
    private final EnvelopeFactory envelopes = new EnvelopeFactory("bench", clock, new SplittableRandom(1));

    @Test
    @EnabledIfSystemProperty(named = "bench", matches = "true")
    void freshConnections() {
        try (RequestServer server = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root-1").withHandlerThreads(2),
                request -> new Ack(), clock)) {
            // tendrilctl's default: 10 s in 3 attempts, so the handshake timer alone fires after 1.67 s
            ClientOptions options = ClientOptions.of("tcp://127.0.0.1:" + server.port()).withRetries(Duration.ofMillis(3_334), 3);
            run("RequestClient", options, o -> {
                try (RequestClient c = new RequestClient(o)) {
                    boolean ok = c.request(envelopes.create("web", new HostedSetQuery("web"))) instanceof RequestResult.Reply;
                    return new long[] {ok ? 1 : 0, c.stalledConnects()};
                }
            });
            run("PipelinedClient", options, o -> {
                try (PipelinedClient c = new PipelinedClient("bench")) {
                    boolean ok = c.request(o, envelopes.create("web", new HostedSetQuery("web"))) instanceof RequestResult.Reply;
                    return new long[] {ok ? 1 : 0, c.stalledConnects()};
                }
            });
        }
    }

    /** {@code oneRequest} answers {replied (1/0), connections replaced}. */
    private void run(String kind, ClientOptions options, Function<ClientOptions, long[]> oneRequest) {
        long[] millis = new long[requests];
        long replied = 0;
        long replaced = 0;
        long requestsReplacing = 0;
        for (int i = 0; i < requests; i++) {
            long t0 = System.nanoTime();
            long[] r = oneRequest.apply(options);
            millis[i] = (System.nanoTime() - t0) / 1_000_000;
            replied += r[0];
            replaced += r[1];
            requestsReplacing += r[1] > 0 ? 1 : 0;
        }
        Arrays.sort(millis);
        System.out.printf(Locale.ROOT, "%s, %d fresh connections: replied %d; ms p50 %d, p99 %d, p99.9 %d, max %d; "
                        + "over 1 s: %d; requests that replaced a stalled connection: %d (%d replacements)%n",
                kind, requests, replied, millis[requests / 2], millis[requests * 99 / 100], millis[requests * 999 / 1000],
                millis[requests - 1], Arrays.stream(millis).filter(m -> m > 1_000).count(), requestsReplacing, replaced);
    }
}
