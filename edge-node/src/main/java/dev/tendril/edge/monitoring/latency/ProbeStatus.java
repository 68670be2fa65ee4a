package dev.tendril.edge.monitoring.latency;

import java.util.Objects;

/**
 * Whether per-user latency is being measured. A node without the privileges or kernel
 * support for eBPF still runs, {@link Degraded}: it measures nothing and takes no
 * latency-driven action (QoE clustering, migration). {@link #summary()} is the line for
 * logs and {@code tendrilctl stats}.
 */
public sealed interface ProbeStatus {

    /** True when latency samples flow and latency-driven actions may run. */
    boolean measuring();

    /** One line for the log and for stats. */
    String summary();

    /** Measuring with {@code mechanism} (e.g. "eBPF tp_btf/tcp_probe"). */
    record Active(String mechanism) implements ProbeStatus {
        public Active {
            Objects.requireNonNull(mechanism, "mechanism");
        }

        @Override
        public boolean measuring() {
            return true;
        }

        @Override
        public String summary() {
            return "latency probe active (" + mechanism + ")";
        }
    }

    /** Not measuring yet: the probe of {@code mechanism} is still being loaded (off the start path). */
    record Starting(String mechanism) implements ProbeStatus {
        public Starting {
            Objects.requireNonNull(mechanism, "mechanism");
        }

        @Override
        public boolean measuring() {
            return false;
        }

        @Override
        public String summary() {
            return "latency probe starting (" + mechanism + ")";
        }
    }

    /**
     * Not measuring.
     *
     * @param missing what is missing, for a person to fix (e.g. "privileges to load eBPF
     *                programs (CAP_BPF and CAP_PERFMON, or root)")
     * @param detail  the underlying error, for the curious (may be empty)
     */
    record Degraded(String missing, String detail) implements ProbeStatus {
        public Degraded {
            Objects.requireNonNull(missing, "missing");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public boolean measuring() {
            return false;
        }

        @Override
        public String summary() {
            return "latency probe DEGRADED: missing " + missing
                    + (detail.isEmpty() ? "" : " (" + detail + ")")
                    + "; per-user latency is not measured and latency-driven actions are off";
        }
    }
}
