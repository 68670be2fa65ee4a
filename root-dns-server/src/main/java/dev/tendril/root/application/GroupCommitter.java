package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.root.application.port.in.RootControl;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The root's one writer. Callers (the control endpoint's handler threads) queue requests;
 * the writer thread takes whatever has queued up (up to {@code maxBatch}), runs all of it in
 * ONE repository transaction, commits (one fsync for the lot), then applies the directory
 * changes and only then answers each caller. No reply leaves before its commit.
 *
 * <p>If a batch fails (a store error, a bug), it is rolled back whole and its requests are
 * run again one transaction each, so one bad request cannot fail the others; a request that
 * fails alone is answered INTERNAL. Expired migration records are purged between batches.
 */
public final class GroupCommitter implements RootControl, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    private record Pending(RootMessage request, CompletableFuture<RootMessage> reply) {
    }

    private final TopologyRepository repository;
    private final DeferredDirectory deferred;
    private final InstanceDirectory directory;
    private final ControlDispatcher dispatcher;
    private final PurgeExpiredMigrations purge;
    private final long purgeEveryNanos;
    private final int maxBatch;
    private final String rootId;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final LongAdder batches = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private volatile CommitObserver commitObserver = CommitObserver.NONE;

    /** Told of each answered request and each committed transaction (e.g. by the metrics exporter). */
    public interface CommitObserver {
        CommitObserver NONE = new CommitObserver() {
            @Override
            public void answered(RootMessage request, RootMessage reply) {
            }

            @Override
            public void committed(int requests, long nanos) {
            }
        };

        /** One request answered (the reply may be an error). */
        void answered(RootMessage request, RootMessage reply);

        /** One transaction committed: its requests, and nanoseconds from dispatch to directory updated. */
        void committed(int requests, long nanos);
    }

    /** Sets the one observer of answered requests and commits. */
    public void observe(CommitObserver observer) {
        this.commitObserver = observer == null ? CommitObserver.NONE : observer;
    }
    private volatile boolean closing;

    /**
     * @param deferred  the directory the dispatcher's use cases write to
     * @param directory the real directory, written after each commit
     */
    public GroupCommitter(String rootId, TopologyRepository repository, DeferredDirectory deferred, InstanceDirectory directory,
                          ControlDispatcher dispatcher, PurgeExpiredMigrations purge, Duration purgeEvery, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.rootId = rootId;
        this.repository = repository;
        this.deferred = deferred;
        this.directory = directory;
        this.dispatcher = dispatcher;
        this.purge = purge;
        this.purgeEveryNanos = purgeEvery.toNanos();
        this.maxBatch = maxBatch;
        this.writer = new Thread(this::run, "root-writer-" + rootId);
        this.writer.setDaemon(true);
    }

    public GroupCommitter start() {
        writer.start();
        return this;
    }

    @Override
    public RootMessage handle(RootMessage request) {
        CompletableFuture<RootMessage> reply = submit(request);
        try {
            return reply.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ErrorReply(ControlErrors.INTERNAL, "interrupted while waiting for the commit");
        } catch (java.util.concurrent.ExecutionException e) {
            return new ErrorReply(ControlErrors.INTERNAL, String.valueOf(e.getCause()));
        }
    }

    /** Queues a request; the future completes once it is committed (or refused). */
    public CompletableFuture<RootMessage> submit(RootMessage request) {
        CompletableFuture<RootMessage> reply = new CompletableFuture<>();
        if (closing) {
            reply.complete(new ErrorReply(ControlErrors.INTERNAL, "root " + rootId + " is shutting down"));
            return reply;
        }
        dev.tendril.protocol.trace.HopTrace.mark("root.queued", System.identityHashCode(request), request.type());
        queue.add(new Pending(request, reply));
        return reply;
    }

    /** Transactions committed so far (each holds one or more requests). */
    public long batches() {
        return batches.sum();
    }

    /** Requests answered so far. */
    public long requests() {
        return requests.sum();
    }

    /** Stops taking requests, answers what is queued, then stops the writer. */
    @Override
    public void close() {
        closing = true;
        writer.interrupt();
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Pending late;
        while ((late = queue.poll()) != null) {
            late.reply().complete(new ErrorReply(ControlErrors.INTERNAL, "root " + rootId + " is shutting down"));
        }
        log.info("{}: writer stopped after {} requests in {} transactions", rootId, requests(), batches());
    }

    private void run() {
        long nextPurge = System.nanoTime();
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (true) {
            if (System.nanoTime() - nextPurge >= 0) {
                purgeExpired();
                nextPurge = System.nanoTime() + purgeEveryNanos;
            }
            Pending first;
            try {
                first = closing ? queue.poll() : queue.poll(Math.max(1, nextPurge - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                continue; // closing: drain what is queued, then stop
            }
            if (first == null) {
                if (closing) {
                    return;
                }
                continue;
            }
            batch.clear();
            batch.add(first);
            queue.drainTo(batch, maxBatch - 1);
            commit(batch);
        }
    }

    private void commit(List<Pending> batch) {
        long startNanos = System.nanoTime();
        if (dev.tendril.protocol.trace.HopTrace.on()) {
            for (Pending p : batch) {
                dev.tendril.protocol.trace.HopTrace.mark("root.batch", System.identityHashCode(p.request()), batch.size());
            }
        }
        List<RootMessage> replies;
        try {
            replies = repository.inTransaction(() -> {
                List<RootMessage> out = new ArrayList<>(batch.size());
                for (Pending p : batch) {
                    out.add(dispatcher.dispatch(p.request()));
                }
                return out;
            });
        } catch (RuntimeException e) {
            deferred.discard();
            if (batch.size() > 1) {
                log.warn("{}: a batch of {} requests failed ({}); running them one by one", rootId, batch.size(), e.toString());
                for (Pending p : List.copyOf(batch)) {
                    commit(List.of(p));
                }
            } else {
                log.error("{}: {} failed", rootId, batch.get(0).request().type(), e);
                requests.increment();
                ErrorReply failed = new ErrorReply(ControlErrors.INTERNAL, String.valueOf(e));
                commitObserver.answered(batch.get(0).request(), failed);
                batch.get(0).reply().complete(failed);
            }
            return;
        }
        try {
            directory.batch(deferred::flushTo);
        } catch (RuntimeException e) {
            // committed, but DNS did not take it: a bug in the directory; it is rebuilt at the next start
            log.error("{}: the directory refused committed changes", rootId, e);
            deferred.discard();
        }
        batches.increment();
        dev.tendril.protocol.trace.HopTrace.mark("root.committed", batch.size(), batch.get(0).request().type());
        CommitObserver observer = commitObserver;
        observer.committed(batch.size(), System.nanoTime() - startNanos);
        for (int i = 0; i < batch.size(); i++) {
            requests.increment();
            observer.answered(batch.get(i).request(), replies.get(i));
            batch.get(i).reply().complete(replies.get(i));
        }
    }

    private void purgeExpired() {
        try {
            int n = repository.inTransaction(purge::execute);
            directory.batch(deferred::flushTo);
            if (n > 0) {
                log.debug("{}: dropped {} expired migration records", rootId, n);
            }
        } catch (RuntimeException e) {
            deferred.discard();
            log.error("{}: purging expired migration records failed", rootId, e);
        }
    }
}
