package dev.tendril.protocol.spec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Reads a spec's {@code health} key: {@code {tcp: {port}} } or
 * {@code {http: {port, path, expectStatus}} } plus {@code interval}, {@code timeout},
 * {@code failureThreshold}, {@code successThreshold}. Every problem names its key.
 */
final class HealthCheckReader {
    static final String FORMS = "a mapping {tcp: {port}} or {http: {port, path, expectStatus}}, "
            + "with interval, timeout, failureThreshold, successThreshold";

    private HealthCheckReader() {
    }

    static Optional<HealthCheck> read(TreeReader spec, List<PortSpec> ports) {
        if (!spec.has("health")) {
            return Optional.empty();
        }
        TreeReader h = spec.object("health", false, FORMS);
        int before = h.problems().all().size();
        h.rejectUnknown("tcp", "http", "interval", "timeout", "failureThreshold", "successThreshold");
        boolean tcp = h.has("tcp");
        boolean http = h.has("http");
        if (tcp == http) {
            h.bad(tcp ? "http" : "tcp", tcp ? "(both tcp and http)" : "(neither tcp nor http)", "exactly one of tcp or http");
        }
        TreeReader probe = h.object(http ? "http" : "tcp", false, http ? "a mapping {port, path, expectStatus}" : "a mapping {port}");
        if (http) {
            probe.rejectUnknown("port", "path", "expectStatus");
        } else {
            probe.rejectUnknown("port");
        }
        String port = probe.string("port", "the name of a tcp port of this spec");
        if (probe.has("port") && ports.stream().noneMatch(p -> p.name().equals(port) && p.protocol().equals("tcp"))) {
            probe.bad("port", port, "the name of a tcp port of this spec: "
                    + ports.stream().filter(p -> p.protocol().equals("tcp")).map(PortSpec::name).toList());
        }
        String path = http ? probe.string("path", "/", "a path starting with /") : "";
        if (http && !path.startsWith("/")) {
            probe.bad("path", path, "a path starting with /");
        }
        int expect = http ? (int) probe.integer("expectStatus", 200L, 100, 599) : 0;
        Duration interval = h.duration("interval", HealthCheck.DEFAULT_INTERVAL);
        Duration timeout = h.duration("timeout", HealthCheck.DEFAULT_TIMEOUT.compareTo(interval) > 0
                ? interval : HealthCheck.DEFAULT_TIMEOUT);
        if (timeout.compareTo(interval) > 0) {
            h.bad("timeout", timeout.toMillis() + "ms", "a duration no longer than interval ("
                    + interval.toMillis() + "ms)");
        }
        int failures = (int) h.integer("failureThreshold", (long) HealthCheck.DEFAULT_FAILURE_THRESHOLD, 1, 100);
        int successes = (int) h.integer("successThreshold", (long) HealthCheck.DEFAULT_SUCCESS_THRESHOLD, 1, 100);
        if (h.problems().all().size() != before) {
            return Optional.empty();
        }
        return Optional.of(new HealthCheck(http ? HealthCheck.Kind.HTTP : HealthCheck.Kind.TCP, port, path, expect,
                interval, timeout, failures, successes));
    }
}
