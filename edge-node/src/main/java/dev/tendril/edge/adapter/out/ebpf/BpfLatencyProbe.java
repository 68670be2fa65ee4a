package dev.tendril.edge.adapter.out.ebpf;

import dev.tendril.edge.monitoring.latency.LatencyProbe;
import dev.tendril.edge.monitoring.latency.LatencyTracker;
import dev.tendril.edge.monitoring.latency.ProbeStatus;
import dev.tendril.edge.monitoring.latency.RttCounters;
import dev.tendril.edge.monitoring.latency.UnavailableLatencyProbe;
import dev.tendril.edge.monitoring.latency.UserKey;
import dev.tendril.edge.monitoring.latency.UserLatency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Per-user TCP latency from the kernel: loads {@code tendril_rtt.bpf.o} (built by the
 * {@code ebpf} module, shipped as a class-path resource) through libbpf, attaches it to
 * the BTF tracepoint {@code tcp:tcp_probe}, and turns its per-user counters into moving
 * windows ({@link LatencyTracker}).
 * <pre>
 * LatencyProbe probe = BpfLatencyProbe.start(BpfLatencyProbe.Settings.defaults(), clock);
 * probe.watchPorts(Set.of(8080));
 * every second: Map&lt;UserKey, UserLatency&gt; users = probe.sample();
 * stats: probe.status().summary()
 * </pre>
 * Without privileges or kernel support {@link #start} logs one warning and returns an
 * {@link UnavailableLatencyProbe} (degraded mode); {@link #tryStart} returns the reason.
 */
public final class BpfLatencyProbe implements LatencyProbe {
    private static final Logger LOG = LoggerFactory.getLogger(BpfLatencyProbe.class);
    static final String OBJECT_RESOURCE = "/dev/tendril/ebpf/tendril_rtt.bpf.o";
    /** What the probe measures with, for status lines (also while it loads). */
    public static final String MECHANISM = BpfRttProgram.MECHANISM;

    /**
     * @param window     moving window for the per-user median
     * @param staleAfter kernel entries unchanged this long are deleted
     * @param maxUsers   capacity of the kernel's LRU map (least recently updated users go first)
     * @param verbose    let libbpf log to stderr (verifier output, for debugging)
     */
    public record Settings(Duration window, Duration staleAfter, int maxUsers, boolean verbose) {
        public Settings {
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(staleAfter, "staleAfter");
            if (maxUsers < 1 || maxUsers > 1 << 22) {
                throw new IllegalArgumentException("maxUsers must be 1.." + (1 << 22) + ": " + maxUsers);
            }
        }

        /** 60 s window, entries dropped after 60 s without traffic, 16384 users. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(60), Duration.ofSeconds(60), 16384, false);
        }

        public Settings withWindow(Duration w) {
            return new Settings(w, staleAfter, maxUsers, verbose);
        }
    }

    /** What {@link #tryStart} gives: a running probe, or why there is none. */
    public sealed interface Start permits Running, Unavailable { }

    public record Running(BpfLatencyProbe probe) implements Start { }

    public record Unavailable(ProbeStatus.Degraded status) implements Start { }

    private final BpfRttProgram program;
    private final LatencyTracker tracker;
    private final ProbeStatus status = new ProbeStatus.Active(BpfRttProgram.MECHANISM);
    private String lastFailure = "";
    private int lastEntries;
    private long lastReadNanos;

    private BpfLatencyProbe(BpfRttProgram program, LatencyTracker tracker) {
        this.program = program;
        this.tracker = tracker;
    }

    /** Loads and attaches the program; never throws for a missing privilege or kernel feature. */
    public static Start tryStart(Settings settings, Clock clock) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        BpfRttProgram.Opening opening = BpfRttProgram.open(objectBytes(), settings.maxUsers(), settings.verbose());
        if (opening instanceof BpfRttProgram.Opened opened) {
            return new Running(new BpfLatencyProbe(opened.program(),
                    new LatencyTracker(clock, settings.window(), settings.staleAfter())));
        }
        return new Unavailable(((BpfRttProgram.Failed) opening).status());
    }

    /**
     * The probe to run with: the eBPF one, or, after one warning in the log that says what
     * is missing, an {@link UnavailableLatencyProbe} whose {@link #status()} says the same.
     */
    public static LatencyProbe start(Settings settings, Clock clock) {
        Start start = tryStart(settings, clock);
        if (start instanceof Running running) {
            LOG.info("{}", running.probe().status().summary());
            return running.probe();
        }
        ProbeStatus.Degraded degraded = ((Unavailable) start).status();
        LOG.warn("{}", degraded.summary());
        return new UnavailableLatencyProbe(degraded);
    }

    private static byte[] objectBytes() {
        try (InputStream in = BpfLatencyProbe.class.getResourceAsStream(OBJECT_RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + OBJECT_RESOURCE, e);
        }
    }

    @Override
    public ProbeStatus status() {
        return status;
    }

    @Override
    public void watchPorts(Set<Integer> ports) {
        program.setPorts(Set.copyOf(ports));
    }

    @Override
    public Map<UserKey, UserLatency> sample() {
        try {
            long start = System.nanoTime();
            List<RttCounters> counters = program.readAll();
            lastReadNanos = System.nanoTime() - start;
            lastEntries = counters.size();
            for (UserKey stale : tracker.update(counters)) {
                program.delete(stale);
            }
            lastFailure = "";
        } catch (IllegalStateException e) {
            if (!e.getMessage().equals(lastFailure)) { // once per distinct problem
                LOG.warn("latency probe: reading the kernel map failed, keeping the last window: {}", e.getMessage());
                lastFailure = e.getMessage();
            }
        }
        return tracker.snapshot();
    }

    /** Entries in the kernel map at the last {@link #sample()} (for stats and benchmarks). */
    public int kernelEntries() {
        return lastEntries;
    }

    /** Time the last {@link #sample()} spent reading the kernel map (for stats and benchmarks). */
    public Duration lastReadTime() {
        return Duration.ofNanos(lastReadNanos);
    }

    /** Whether map reads use batch lookups (kernel 5.6+) rather than key-by-key iteration. */
    public boolean readsInBatches() {
        return program.usesBatches();
    }

    @Override
    public void close() {
        program.close();
    }
}
