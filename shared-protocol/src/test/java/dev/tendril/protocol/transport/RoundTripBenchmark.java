package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Request/response round trip on loopback, one client, sequential requests, with and
 * without CURVE. Prints figures; asserts nothing about time. Not part of the suite; run
 * <pre>
 * mvn -q -o -pl shared-protocol -am test -Dtest=RoundTripBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class RoundTripBenchmark {
    private static final int WARMUP = 3_000;
    private static final int MEASURED = 20_000;

    @Test
    @EnabledIfSystemProperty(named = "bench", matches = "true")
    void roundTrips() {
        run("plain", Optional.empty(), Optional.empty());
        CurveKeyPair server = CurveKeyPair.generate();
        CurveKeyPair client = CurveKeyPair.generate();
        run("curve", Optional.of(new ServerOptions.Curve(server, Set.of())),
                Optional.of(new ClientOptions.Curve(client, server.publicKey())));
        run("curve+allowlist", Optional.of(new ServerOptions.Curve(server, Set.of(client.publicKey()))),
                Optional.of(new ClientOptions.Curve(client, server.publicKey())));
    }

    private static void run(String label, Optional<ServerOptions.Curve> serverCurve, Optional<ClientOptions.Curve> clientCurve) {
        ServerOptions so = ServerOptions.of("tcp://127.0.0.1:0", "root-1");
        if (serverCurve.isPresent()) {
            so = so.withCurve(serverCurve.get());
        }
        HostedSet reply = new HostedSet("web", List.of("munich-1", "sydney-2", "fiji-3"));
        EnvelopeFactory envelopes = new EnvelopeFactory("edge-1", Clock.systemUTC(), new SplittableRandom(1));
        try (RequestServer s = RequestServer.start(so, req -> reply, Clock.systemUTC())) {
            ClientOptions co = ClientOptions.of(s.endpoint()).withRetries(Duration.ofSeconds(5), 1);
            if (clientCurve.isPresent()) {
                co = co.withCurve(clientCurve.get());
            }
            try (RequestClient c = new RequestClient(co)) {
                long[] nanos = new long[MEASURED];
                for (int i = 0; i < WARMUP + MEASURED; i++) {
                    var request = envelopes.create("web", new HostedSetQuery("web"));
                    long t0 = System.nanoTime();
                    RequestResult r = c.request(request);
                    long t = System.nanoTime() - t0;
                    if (!(r instanceof RequestResult.Reply)) {
                        throw new AssertionError(label + ": request " + i + " failed: " + r);
                    }
                    if (i >= WARMUP) {
                        nanos[i - WARMUP] = t;
                    }
                }
                Arrays.sort(nanos);
                double total = Arrays.stream(nanos).sum() / 1e9;
                System.out.printf(Locale.ROOT, "%-16s n=%d  p50=%.3f ms  p90=%.3f ms  p99=%.3f ms  max=%.3f ms  (%.0f req/s sequential)%n",
                        label, MEASURED, nanos[MEASURED / 2] / 1e6, nanos[MEASURED * 9 / 10] / 1e6,
                        nanos[MEASURED * 99 / 100] / 1e6, nanos[MEASURED - 1] / 1e6, MEASURED / total);
            }
        }
    }
}
