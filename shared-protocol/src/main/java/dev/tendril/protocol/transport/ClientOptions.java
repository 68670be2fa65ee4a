package dev.tendril.protocol.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link RequestClient}.
 *
 * @param endpoint       the server, {@code tcp://host:port}
 * @param attemptTimeout how long one attempt waits for its reply
 * @param attempts       attempts in all (first try plus retries), each with the same message id
 * @param curve          CURVE settings, or empty for plain TCP
 * @param maxFrameBytes  larger replies are refused by ZeroMQ
 */
public record ClientOptions(String endpoint, Duration attemptTimeout, int attempts, Optional<Curve> curve,
                            int maxFrameBytes) {

    /**
     * CURVE on the client side. A wrong server key makes every attempt time out (CURVE
     * fails silently), which {@link RequestClient} reports as {@link RequestResult.TimedOut}.
     *
     * @param clientKeys      this client's key pair (the server may allow-list its public key)
     * @param serverPublicKey the server's public key, Z85
     */
    public record Curve(CurveKeyPair clientKeys, String serverPublicKey) {
        public Curve {
            Objects.requireNonNull(clientKeys, "clientKeys");
            CurveKeyPair.requireZ85Key("server public key", serverPublicKey);
        }
    }

    public ClientOptions {
        Objects.requireNonNull(endpoint, "endpoint");
        if (!endpoint.startsWith("tcp://") && !endpoint.startsWith("inproc://") && !endpoint.startsWith("ipc://")) {
            throw new IllegalArgumentException("client endpoint must look like tcp://host:port, got '" + endpoint + "'");
        }
        Objects.requireNonNull(attemptTimeout, "attemptTimeout");
        if (attemptTimeout.toMillis() < 1 || attemptTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("attemptTimeout must be between 1 ms and 24 days, got " + attemptTimeout);
        }
        ServerOptions.requirePositive("attempts", attempts);
        Objects.requireNonNull(curve, "curve");
        ServerOptions.requirePositive("maxFrameBytes", maxFrameBytes);
    }

    /** Defaults: 1 s per attempt, 3 attempts, plain TCP, 16 MiB frames. */
    public static ClientOptions of(String endpoint) {
        return new ClientOptions(endpoint, Duration.ofSeconds(1), 3, Optional.empty(), 16 << 20);
    }

    public ClientOptions withRetries(Duration attemptTimeout, int attempts) {
        return new ClientOptions(endpoint, attemptTimeout, attempts, curve, maxFrameBytes);
    }

    public ClientOptions withCurve(Curve curve) {
        return new ClientOptions(endpoint, attemptTimeout, attempts, Optional.of(curve), maxFrameBytes);
    }
}
