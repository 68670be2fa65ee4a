package dev.tendril.root.adapter.in.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The query chain as a UDP listener's reading thread calls it ({@link MmsgUdpListener},
 * {@link XdpUdpListener}): nothing escapes into the thread. An exception out of the chain (a
 * bug: the chain answers SERVFAIL itself) and a failed read are counted as unexpected errors
 * and logged at most once per 10 s per client (reads: per listener); after a failed read the
 * thread pauses 10 ms, so a lasting error does not spin.
 */
final class GuardedAnswerer {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedAnswerer.class);
    private static final long ERROR_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final MmsgUdpListener.Answerer chain;
    private final DnsMetrics metrics;
    private final String path;
    private final RefusalLog errorLog = new RefusalLog(10_000);

    /** {@code path} names the listener's way in the log lines ("UDP", "UDP over XDP"). */
    GuardedAnswerer(MmsgUdpListener.Answerer chain, DnsMetrics metrics, String path) {
        this.chain = chain;
        this.metrics = metrics;
        this.path = path;
    }

    /** The chain's answer to {@code wire} from {@code source}; null for none, and after an exception (counted, logged). */
    byte[] answer(byte[] wire, InetAddress source) {
        try {
            return chain.answer(wire, source);
        } catch (RuntimeException e) {
            metrics.countUnexpectedError();
            if (errorLog.mayLog(source.hashCode(), System.currentTimeMillis())) {
                LOG.warn("unexpected error answering a {} query from {}", path, source.getHostAddress(), e);
            }
            return null;
        }
    }

    /** A read on {@code where} failed: counted, logged (at most once per 10 s), then a 10 ms pause. */
    void readFailed(Object where, IOException e) {
        metrics.countUnexpectedError();
        if (errorLog.mayLog(0, System.currentTimeMillis())) {
            LOG.warn("DNS {} on {}: {}", path, where, e.getMessage());
        }
        LockSupport.parkNanos(ERROR_PAUSE_NANOS);
    }
}
