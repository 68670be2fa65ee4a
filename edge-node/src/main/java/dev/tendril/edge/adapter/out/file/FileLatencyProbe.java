package dev.tendril.edge.adapter.out.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.ProbeStatus;
import dev.tendril.edge.monitoring.latency.UserKey;
import dev.tendril.edge.monitoring.latency.UserLatency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A latency probe fed from a JSON file, re-read on every {@link #sample()}, so tests and
 * demos can set each user's latency by rewriting the file:
 * <pre>{"users": [{"address": "10.0.0.7", "port": 8080, "medianMs": 42.5,
 *                 "minMs": 40, "samples": 12, "namespace": 4026531840}],
 *  "degraded": {"missing": "privileges to load eBPF programs", "detail": ""}}</pre>
 * {@code minMs} (default: medianMs), {@code samples} (default 1), {@code namespace} (default 0)
 * and {@code degraded} (default: active) are optional. Like the real probe it reports only
 * users on watched ports. A missing or bad file reports no users (logged once per problem).
 */
public final class FileLatencyProbe implements LatencyProbe {
    private static final Logger LOG = LoggerFactory.getLogger(FileLatencyProbe.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Clock clock;
    private Set<Integer> ports = Set.of();
    private ProbeStatus status;
    private String lastProblem = "";

    public FileLatencyProbe(Path file, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.status = new ProbeStatus.Active("file " + file);
    }

    @Override
    public synchronized ProbeStatus status() {
        return status;
    }

    @Override
    public synchronized void watchPorts(Set<Integer> watched) {
        this.ports = Set.copyOf(watched);
    }

    @Override
    public synchronized Map<UserKey, UserLatency> sample() {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            Map<UserKey, UserLatency> users = parse(root);
            lastProblem = "";
            return users;
        } catch (IOException | IllegalArgumentException e) {
            String problem = e.getMessage();
            if (!problem.equals(lastProblem)) {
                LOG.warn("latency file {} unusable: {}", file, problem);
                lastProblem = problem;
            }
            return Map.of();
        }
    }

    private Map<UserKey, UserLatency> parse(JsonNode root) throws UnknownHostException {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("want a JSON object with \"users\"");
        }
        JsonNode degraded = root.get("degraded");
        status = degraded == null || degraded.isNull()
                ? new ProbeStatus.Active("file " + file)
                : new ProbeStatus.Degraded(degraded.path("missing").asText("something"),
                degraded.path("detail").asText(""));
        Map<UserKey, UserLatency> users = new HashMap<>();
        if (!status.measuring()) {
            return users;
        }
        JsonNode list = root.path("users");
        if (!list.isArray()) {
            throw new IllegalArgumentException("\"users\" must be an array");
        }
        for (JsonNode u : list) {
            int port = required(u, "port").asInt();
            if (!ports.contains(port)) {
                continue;
            }
            InetAddress address = literal(required(u, "address").asText());
            double median = required(u, "medianMs").asDouble();
            double min = u.path("minMs").asDouble(median);
            long samples = u.path("samples").asLong(1);
            UserKey key = new UserKey(u.path("namespace").asLong(0), address, port);
            users.put(key, new UserLatency(key, millis(median), millis(min), samples, clock.instant()));
        }
        return users;
    }

    private static InetAddress literal(String text) throws UnknownHostException {
        if (!text.contains(":") && !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("address must be an IP literal: " + text);
        }
        return InetAddress.getByName(text); // a literal: no lookup
    }

    private static JsonNode required(JsonNode user, String field) {
        JsonNode v = user.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("a user lacks \"" + field + "\": " + user);
        }
        return v;
    }

    private static Duration millis(double ms) {
        if (ms < 0 || Double.isNaN(ms)) {
            throw new IllegalArgumentException("latency must be >= 0 ms: " + ms);
        }
        return Duration.ofNanos(Math.round(ms * 1_000_000));
    }

    @Override
    public void close() {
        // nothing held
    }
}
