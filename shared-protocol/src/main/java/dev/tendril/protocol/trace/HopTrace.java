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
            Instant now = Instant.now();
            log.trace("hop {} {} {} {}", now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000, step, id, detail);
        }
    }
}
