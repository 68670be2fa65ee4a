package dev.tendril.protocol.trace;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * Where a message spends its time between nodes: one TRACE line per step
 * ({@code hop <epoch micros> <step> <message id> <detail>}) on the logger {@code tendril.hop},
 * off unless the process runs with {@code TENDRIL_HOP_LOG=TRACE} (see the modules' logback.xml).
 * The wall clock is shared by all processes on one machine, so lines of several processes can
 * be merged by message id (docs/evaluation.md, "Where the per-hop time went").
 */
public final class HopTrace {
    private static final Logger log = LoggerFactory.getLogger("tendril.hop");

    private HopTrace() {
    }

    public static boolean on() {
        return log.isTraceEnabled();
    }

    /** Logs one step of message {@code id} now; a no-op unless tracing is on. */
    public static void mark(String step, Object id, Object detail) {
        if (log.isTraceEnabled()) {
            log.trace("hop {} {} {} {}", epochMicros(), step, id, detail);
        }
    }

    /**
     * As {@link #mark(String, Object, Object)} with the detail {@code "detail more"}: callers on
     * a message's path pass the parts, so that nothing is concatenated while tracing is off.
     */
    public static void mark(String step, Object id, Object detail, Object more) {
        if (log.isTraceEnabled()) {
            log.trace("hop {} {} {} {} {}", epochMicros(), step, id, detail, more);
        }
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
