package dev.tendril.edge.bootstrap;

import dev.tendril.edge.application.Ticker;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link Ticker} on a small pool of daemon threads. */
final class ScheduledTicker implements Ticker, AutoCloseable {
    private final ScheduledExecutorService pool;

    ScheduledTicker(String nodeId, int threads) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, "ticker-" + nodeId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public AutoCloseable every(Duration interval, Runnable task) {
        var f = pool.scheduleWithFixedDelay(task, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
