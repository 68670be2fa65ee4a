package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.root.application.port.in.RootControl;
import dev.tendril.root.application.port.out.LogPosition;
import dev.tendril.root.application.port.out.TopologyLog;
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
import java.util.function.Consumer;

/**
 * The root's one writer. Callers (the control endpoint's handler threads) queue requests;
 * the writer thread takes whatever has queued up (up to {@code maxBatch}), runs all of it in
 * ONE repository transaction, commits (one fsync for the lot), then applies the directory
 * changes and only then answers each caller. No reply leaves before its commit.
 *
 * <p>If a batch fails (a store error, a bug), it is rolled back whole and its requests are
 * run again one transaction each, so one bad request cannot fail the others; a request that
 * fails alone is answered INTERNAL. Expired migration records are purged between batches.
 *
 * <p>As the single root's {@link TopologyLog}, the commit is the log. In a replicated group it
 * is the one applier of committed log entries ({@link #apply}): each entry runs with the use
 * cases' clock pinned to the entry's time, and the entry's position is written in the same
 * transaction as its changes (see {@link Replication}).
 */
public final class GroupCommitter implements RootControl, TopologyLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    /**
     * A committed entry of a replicated log: its commands (none: an election's or a
     * configuration's entry; several: the leader proposed them together), its time and position.
     * All commands of an entry are applied in one transaction, in order, at the entry's time.
     */
    public record LogEntry(List<RootMessage> commands, long atMillis, long term, long index) {
        public LogEntry {
            commands = List.copyOf(commands);
        }

        /** An entry of one command. */
        public LogEntry(RootMessage command, long atMillis, long term, long index) {
            this(List.of(command), atMillis, term, index);
        }

        /** An entry without a command (it only moves the applied position). */
        public static LogEntry empty(long term, long index) {
            return new LogEntry(List.of(), 0, term, index);
        }

        /** The first command, or null for an entry without one. */
        public RootMessage command() {
            return commands.isEmpty() ? null : commands.get(0);
        }
    }

    /** A command of a log entry failed: which one, so the entry can be applied again without it. */
    private static final class CommandFailed extends RuntimeException {
        final int command;

        CommandFailed(int command, RuntimeException cause) {
            super(cause.toString(), cause);
            this.command = command;
        }
    }

    /**
     * How a replicated group's entries are applied.
     *
     * @param clock    the clock of the use cases, pinned to each entry's time while it runs
     * @param position where the store records the last applied entry
     * @param applied  told (on the writer thread, in log order) once an entry's changes are committed
     */
    public record Replication(LogClock clock, LogPosition position, Consumer<LogPosition.Applied> applied) {
    }

    /**
     * A queued request (local), a log entry to apply (its replies, and the commands that failed
     * alone and are skipped), or a task to run alone on the writer thread.
     */
    private record Pending(RootMessage request, CompletableFuture<RootMessage> reply, LogEntry entry,
                           CompletableFuture<List<RootMessage>> entryReplies, java.util.BitSet failed, Runnable task) {
        Pending(RootMessage request, CompletableFuture<RootMessage> reply) {
            this(request, reply, null, null, null, null);
        }

        /** What the reply futures are completed with: one reply for a request, the command replies of an entry. */
        void complete(List<RootMessage> replies) {
            if (entry != null) {
                entryReplies.complete(replies);
            } else {
                reply.complete(replies.get(0));
            }
        }
    }

    private final TopologyRepository repository;
    private final DeferredDirectory deferred;
    private final InstanceDirectory directory;
    private final ControlDispatcher dispatcher;
    private final PurgeExpiredMigrations purge;
    private final long purgeEveryNanos;
    private final int maxBatch;
    private final String rootId;
    private final Replication replication;
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

    /**
     * Told of every command applied here once it is durable: this root's own requests (single
     * root) and every command of the replicated log's entries (every root of a group), with its
     * reply, on the writer's thread, before the callers' replies complete. It must not block.
     */
    @FunctionalInterface
    public interface AppliedListener {
        void applied(RootMessage command, RootMessage reply);
    }

    private volatile AppliedListener appliedListener;

    /** Sets the one listener of applied commands (e.g. the registration watches); null: none. */
    public void onApplied(AppliedListener listener) {
        this.appliedListener = listener;
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
        this(rootId, repository, deferred, directory, dispatcher, purge, purgeEvery, maxBatch, null);
    }

    /**
     * @param replication how log entries are applied ({@link #apply}); null for a single root
     */
    public GroupCommitter(String rootId, TopologyRepository repository, DeferredDirectory deferred, InstanceDirectory directory,
                          ControlDispatcher dispatcher, PurgeExpiredMigrations purge, Duration purgeEvery, int maxBatch,
                          Replication replication) {
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
        this.replication = replication;
        this.writer = new Thread(this::run, "root-writer-" + rootId);
        this.writer.setDaemon(true);
    }

    public GroupCommitter start() {
        writer.start();
        return this;
    }

    @Override
    public RootMessage handle(RootMessage request) {
        return ControlErrors.awaitReply(submit(request));
    }

    /** The request is only queued: {@link #submit} never waits (its queue has no bound). */
    @Override
    public boolean handsOnWithoutWaiting() {
        return true;
    }

    /** As {@link #submit}: nothing waits for the commit; the reply completes on the writer's thread. */
    @Override
    public CompletableFuture<RootMessage> handleLater(RootMessage request) {
        return submit(request);
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

    /** The single root's log: the request is committed in the next transaction. */
    @Override
    public CompletableFuture<RootMessage> append(RootMessage command) {
        return submit(command);
    }

    /**
     * Queues a committed entry of the replicated log; entries must be given in log order. The
     * future completes with the command's reply once the entry's changes are committed here.
     */
    public CompletableFuture<RootMessage> apply(LogEntry entry) {
        return applyAll(entry).thenApply(replies -> replies.isEmpty() ? null : replies.get(0));
    }

    /**
     * As {@link #apply}: the future completes with the reply of each of the entry's commands, in
     * order, once all of them are committed here (in one transaction, with the entry's position).
     */
    public CompletableFuture<List<RootMessage>> applyAll(LogEntry entry) {
        if (replication == null) {
            throw new IllegalStateException("root " + rootId + " applies no log entries: it was built without replication");
        }
        CompletableFuture<List<RootMessage>> replies = new CompletableFuture<>();
        if (closing) {
            ErrorReply down = new ErrorReply(ControlErrors.INTERNAL, "root " + rootId + " is shutting down");
            replies.complete(java.util.Collections.nCopies(entry.commands().size(), down));
            return replies;
        }
        queue.add(new Pending(entry.command(), null, entry, replies, new java.util.BitSet(), null));
        return replies;
    }

    /** Runs {@code task} on the writer thread after everything queued before it, alone (no open transaction). */
    public CompletableFuture<RootMessage> runAlone(Runnable task) {
        CompletableFuture<RootMessage> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new IllegalStateException("root " + rootId + " is shutting down"));
            return done;
        }
        queue.add(new Pending(null, done, null, null, null, task));
        return done;
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
            ErrorReply down = new ErrorReply(ControlErrors.INTERNAL, "root " + rootId + " is shutting down");
            if (late.task() != null) {
                late.reply().complete(down);
            } else {
                late.complete(java.util.Collections.nCopies(late.entry() == null ? 1 : late.entry().commands().size(), down));
            }
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
            if (first.task() == null && batch.stream().allMatch(p -> p.task() == null)) {
                commitReadsFirst(batch);
            } else {
                commitAroundTasks(batch);
            }
        }
    }

    /**
     * Answers the batch's queries (HostedSetQuery, MembershipQuery, ...: no change, so no
     * {@link ReplicatedControl#isChange}) in a transaction of their own before the changes'
     * transaction, so that a query never waits for the changes' durable commit (an fsync: 1-8
     * ms here, up to 120 ms traced under load; a replica's membership check and a replica
     * decision's hosted-set query are on the replication's timed path). Requests of one batch
     * arrived concurrently, so answering a query as if it came before them is a valid order; a
     * caller that waited for its change's acknowledgement before asking is in a later batch.
     */
    private void commitReadsFirst(List<Pending> batch) {
        List<Pending> reads = new ArrayList<>();
        List<Pending> changes = new ArrayList<>();
        for (Pending p : batch) {
            (p.entry() == null && !ReplicatedControl.isChange(p.request()) ? reads : changes).add(p);
        }
        if (reads.isEmpty() || changes.isEmpty()) {
            commit(batch);
            return;
        }
        commit(reads);
        commit(changes);
    }

    /** Commits the requests between tasks together and runs each task alone, in queue order. */
    private void commitAroundTasks(List<Pending> batch) {
        List<Pending> run = new ArrayList<>();
        for (Pending p : batch) {
            if (p.task() == null) {
                run.add(p);
                continue;
            }
            if (!run.isEmpty()) {
                commit(List.copyOf(run));
                run.clear();
            }
            try {
                p.task().run();
                p.reply().complete(null);
            } catch (RuntimeException e) {
                log.error("{}: a task on the writer failed", rootId, e);
                p.reply().completeExceptionally(e);
            }
        }
        if (!run.isEmpty()) {
            commit(run);
        }
    }

    /**
     * Runs the batch's requests and entries (each entry's commands in order, skipping those that
     * failed alone before); with entries, pins the clock to each and records the last position.
     */
    private List<List<RootMessage>> dispatchAll(List<Pending> batch) {
        List<List<RootMessage>> out = new ArrayList<>(batch.size());
        LogPosition.Applied last = null;
        for (Pending p : batch) {
            LogEntry entry = p.entry();
            if (entry == null) {
                out.add(java.util.Collections.singletonList(dispatcher.dispatch(p.request())));
                continue;
            }
            List<RootMessage> replies = new ArrayList<>(entry.commands().size());
            replication.clock().pin(entry.atMillis());
            try {
                for (int i = 0; i < entry.commands().size(); i++) {
                    if (p.failed().get(i)) {
                        replies.add(new ErrorReply(ControlErrors.INTERNAL, "log entry " + entry.index() + ": command "
                                + (i + 1) + " of " + entry.commands().size() + " failed; the others are applied"));
                        continue;
                    }
                    try {
                        replies.add(dispatcher.dispatch(entry.commands().get(i)));
                    } catch (RuntimeException e) {
                        throw entry.commands().size() > 1 ? new CommandFailed(i, e) : e;
                    }
                }
            } finally {
                replication.clock().unpin();
            }
            out.add(replies);
            last = new LogPosition.Applied(entry.term(), entry.index());
        }
        if (last != null) {
            replication.position().saveApplied(last);
        }
        return out;
    }

    private static LogPosition.Applied lastEntry(List<Pending> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            LogEntry e = batch.get(i).entry();
            if (e != null) {
                return new LogPosition.Applied(e.term(), e.index());
            }
        }
        return null;
    }

    /** A trace line for a batch of requests at {@code step} (no line for a batch of log entries). */
    private static void traceBatch(String step, List<Pending> batch) {
        if (dev.tendril.protocol.trace.HopTrace.on() && batch.get(0).request() != null) {
            dev.tendril.protocol.trace.HopTrace.mark(step, batch.size(), batch.get(0).request().type());
        }
    }

    private void commit(List<Pending> batch) {
        long startNanos = System.nanoTime();
        if (dev.tendril.protocol.trace.HopTrace.on()) {
            for (Pending p : batch) {
                dev.tendril.protocol.trace.HopTrace.mark("root.batch", System.identityHashCode(p.request()), batch.size());
            }
        }
        List<List<RootMessage>> replies;
        try {
            replies = repository.inTransaction(() -> {
                List<List<RootMessage>> written = dispatchAll(batch);
                traceBatch("root.written", batch); // the statements ran; the commit (and its sync) follows
                return written;
            });
            traceBatch("root.synced", batch);
        } catch (RuntimeException e) {
            deferred.discard();
            if (batch.size() == 1 && e instanceof CommandFailed failed && !batch.get(0).failed().get(failed.command)) {
                // one command of an entry of several failed: the entry is applied again, whole, without it
                log.error("{}: command {} of log entry {} failed", rootId, failed.command + 1, batch.get(0).entry().index(),
                        e.getCause());
                batch.get(0).failed().set(failed.command);
                commit(batch);
                return;
            }
            if (batch.size() > 1) {
                log.warn("{}: a batch of {} requests failed ({}); running them one by one", rootId, batch.size(), e.toString());
                for (Pending p : List.copyOf(batch)) {
                    commit(List.of(p));
                }
            } else {
                Pending failed = batch.get(0);
                log.error("{}: {} failed", rootId, failed.request() == null ? "a log entry" : failed.request().type(), e);
                if (failed.entry() != null) {
                    skipFailedEntry(failed.entry());
                }
                requests.increment();
                ErrorReply error = new ErrorReply(ControlErrors.INTERNAL, String.valueOf(e));
                if (failed.entry() == null) {
                    commitObserver.answered(failed.request(), error);
                }
                failed.complete(java.util.Collections.nCopies(failed.entry() == null ? 1 : failed.entry().commands().size(),
                        error));
            }
            return;
        }
        try {
            if (deferred.pendingChanges() > 0) { // a batch of queries changes nothing: DNS keeps its version (and answer cache)
                directory.batch(deferred::flushTo);
            }
        } catch (RuntimeException e) {
            // committed, but DNS did not take it: a bug in the directory; it is rebuilt at the next start
            log.error("{}: the directory refused committed changes", rootId, e);
            deferred.discard();
        }
        batches.increment();
        LogPosition.Applied last = replication == null ? null : lastEntry(batch);
        if (last != null) {
            replication.applied().accept(last);
        }
        traceBatch("root.committed", batch);
        AppliedListener listener = appliedListener;
        if (listener != null) {
            tellApplied(listener, batch, replies);
        }
        CommitObserver observer = commitObserver;
        observer.committed(batch.size(), System.nanoTime() - startNanos);
        for (int i = 0; i < batch.size(); i++) {
            requests.increment();
            if (batch.get(i).entry() == null) { // else an entry of the replicated log, applied here
                observer.answered(batch.get(i).request(), replies.get(i).get(0));
            }
            batch.get(i).complete(replies.get(i));
        }
    }

    private void tellApplied(AppliedListener listener, List<Pending> batch, List<List<RootMessage>> replies) {
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            List<RootMessage> commands = p.entry() == null ? java.util.Collections.singletonList(p.request())
                    : p.entry().commands();
            for (int c = 0; c < commands.size() && c < replies.get(i).size(); c++) {
                try {
                    listener.applied(commands.get(c), replies.get(i).get(c));
                } catch (RuntimeException e) {
                    log.error("{}: a listener of applied commands failed", rootId, e);
                }
            }
        }
    }

    /**
     * An entry whose command failed (a store error or a bug, the same on every root that applies
     * it) still moves the applied position, or the log would replay it for ever.
     */
    private void skipFailedEntry(LogEntry entry) {
        LogPosition.Applied at = new LogPosition.Applied(entry.term(), entry.index());
        try {
            repository.inTransaction(() -> {
                replication.position().saveApplied(at);
                return null;
            });
            replication.applied().accept(at);
        } catch (RuntimeException e) {
            log.error("{}: cannot record log entry {} as applied", rootId, at, e);
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
