package dev.tendril.protocol.spec;

import java.time.Duration;
import java.util.Objects;

/**
 * An instance's health probe, in the style of Kubernetes and Consul checks: a TCP connect to
 * the named port, or an HTTP GET of {@code path} on it that must answer {@code expectStatus}.
 * It runs every {@code interval} and fails when no verdict comes within {@code timeout};
 * {@code failureThreshold} failures in a row take the instance out of DNS,
 * {@code successThreshold} successes in a row bring it back.
 *
 * @param port the name of a tcp port of the spec
 */
public record HealthCheck(Kind kind, String port, String path, int expectStatus, Duration interval, Duration timeout,
                          int failureThreshold, int successThreshold) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    public static final int DEFAULT_SUCCESS_THRESHOLD = 1;

    public enum Kind { TCP, HTTP }

    public HealthCheck {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(port, "port");
        path = path == null ? "" : path;
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (kind == Kind.HTTP && !path.startsWith("/")) {
            throw new IllegalArgumentException("an HTTP check needs a path starting with /");
        }
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()
                || timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("0 < timeout <= interval");
        }
        if (failureThreshold < 1 || successThreshold < 1) {
            throw new IllegalArgumentException("thresholds must be >= 1");
        }
    }

    public static HealthCheck tcp(String port) {
        return new HealthCheck(Kind.TCP, port, "", 0, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_FAILURE_THRESHOLD,
                DEFAULT_SUCCESS_THRESHOLD);
    }

    public static HealthCheck http(String port, String path, int expectStatus) {
        return new HealthCheck(Kind.HTTP, port, path, expectStatus, DEFAULT_INTERVAL, DEFAULT_TIMEOUT,
                DEFAULT_FAILURE_THRESHOLD, DEFAULT_SUCCESS_THRESHOLD);
    }

    public HealthCheck withTiming(Duration interval, Duration timeout, int failureThreshold, int successThreshold) {
        return new HealthCheck(kind, port, path, expectStatus, interval, timeout, failureThreshold, successThreshold);
    }

    /** The longest a failing instance stays answered after it started failing, not counting the report to the root. */
    public Duration detectionBound() {
        return interval.multipliedBy(failureThreshold);
    }
}
