package dev.tendril.edge.monitoring.latency;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A probe that is loaded on a thread of its own, so that the node does not wait for it to
 * start (binding libbpf and loading the eBPF program take a good part of a second). Until the
 * loaded probe is there, {@link #status()} is {@link ProbeStatus.Starting}, {@link #sample()}
 * is empty and the watched ports are remembered; the first call after it is there hands it the
 * ports, so every call on the loaded probe comes from the one monitoring loop, as before.
 * {@link #close()} closes the loaded probe, or the one still loading as soon as it is there.
 */
public final class DeferredLatencyProbe implements LatencyProbe {
    private final ProbeStatus.Starting starting;
    private LatencyProbe loaded;      // guarded by this
    private boolean closed;           // guarded by this
    private Set<Integer> ports = Set.of();
    private boolean portsPending;

    private DeferredLatencyProbe(String mechanism) {
        this.starting = new ProbeStatus.Starting(mechanism);
    }

    /** Starts loading {@code load} on a daemon thread named {@code threadName}; returns at once. */
    public static DeferredLatencyProbe start(String mechanism, Supplier<LatencyProbe> load, String threadName) {
        Objects.requireNonNull(load, "load");
        DeferredLatencyProbe probe = new DeferredLatencyProbe(mechanism);
        Thread t = new Thread(() -> probe.loaded(load.get()), threadName);
        t.setDaemon(true);
        t.start();
        return probe;
    }

    private void loaded(LatencyProbe probe) {
        synchronized (this) {
            if (!closed) {
                loaded = probe;
                return;
            }
        }
        probe.close(); // closed while it loaded
    }

    private synchronized LatencyProbe current() {
        return loaded;
    }

    @Override
    public ProbeStatus status() {
        LatencyProbe p = current();
        return p == null ? starting : p.status();
    }

    @Override
    public void watchPorts(Set<Integer> ports) {
        this.ports = Set.copyOf(ports);
        this.portsPending = true;
        handOver();
    }

    @Override
    public Map<UserKey, UserLatency> sample() {
        LatencyProbe p = handOver();
        return p == null ? Map.of() : p.sample();
    }

    /** The loaded probe (with the latest ports), or null while it loads. */
    private LatencyProbe handOver() {
        LatencyProbe p = current();
        if (p != null && portsPending) {
            p.watchPorts(ports);
            portsPending = false;
        }
        return p;
    }

    @Override
    public void close() {
        LatencyProbe p;
        synchronized (this) {
            closed = true;
            p = loaded;
        }
        if (p != null) {
            p.close();
        }
    }
}
