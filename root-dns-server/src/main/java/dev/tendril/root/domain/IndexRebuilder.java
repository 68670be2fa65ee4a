package dev.tendril.root.domain;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default executor for spatial index rebuilds: one daemon thread, started on first use,
 * ended after a minute without work. Shared by every directory in the process (a rebuild is
 * CPU work; running several at once would only slow the DNS threads down).
 */
final class IndexRebuilder {
    private static final Executor SHARED = create();

    private IndexRebuilder() {
    }

    static Executor shared() {
        return SHARED;
    }

    private static Executor create() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "tendril-index-rebuild");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
