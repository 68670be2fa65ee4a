package dev.tendril.cli;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One thread per network namespace, in the runner's own JVM, that entered it at nice 19
 * ({@link NamespacedUser#enter}): where a topology runner's looks run (a {@code tendrilctl}
 * call from the root's namespace, a DNS query from a user's) instead of one process each.
 *
 * <p>Why: a {@code tendrilctl} process is a JVM of 0.3-0.5 CPU-seconds on both cores, and the
 * runner looked once a second while a replication ran; a polling {@code dig} is two execs
 * ({@code ip netns exec}, {@code dig}) five times a second while a migration runs. Both sat
 * under the steps the runs time, at nice 19 but with their kernel work (exec, mappings, page
 * faults) taken from the nodes all the same, as the users' curl processes did before
 * {@link NamespacedUser}. Here a look is a call on a warm thread: the same CLI code over the
 * same CURVE sockets (JeroMQ's I/O threads, started by the calling thread, inherit its
 * namespace and nice value), the same query on the wire.
 *
 * <p>When the kernel refuses the namespace, {@link #call} throws {@link IOException}: the caller
 * falls back to the process it replaced.
 */
final class NamespaceWorkers implements AutoCloseable {
    private final Map<String, Worker> workers = new ConcurrentHashMap<>();

    private record Worker(ExecutorService executor, Future<?> entered) {
    }

    /**
     * Runs {@code task} on the thread of {@code namespace} (started and moved there on first
     * use) and returns its result; waits at most {@code limitMillis}.
     */
    <T> T call(String namespace, long limitMillis, Callable<T> task) throws IOException {
        Worker w = workers.computeIfAbsent(namespace, NamespaceWorkers::start);
        try {
            w.entered().get(); // IOException of the enter: this namespace cannot be used from here
            return w.executor().submit(task).get(limitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        } catch (TimeoutException e) {
            throw new AssertionError("a look in " + namespace + " did not end within " + limitMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Worker start(String namespace) {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "look-" + namespace);
            t.setDaemon(true);
            return t;
        });
        Future<?> entered = executor.submit(() -> {
            NamespacedUser.enter(namespace);
            return null;
        });
        return new Worker(executor, entered);
    }

    @Override
    public void close() {
        workers.values().forEach(w -> w.executor().shutdownNow());
        workers.clear();
    }
}
