package dev.tendril.edge.selforg.sim;

import dev.tendril.edge.testing.MutableClock;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;

/** Discrete-event time: tasks run in time order (ties in the order they were scheduled) on a fake clock. */
public final class SimScheduler {
    private record Task(Instant at, long seq, Runnable run) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>(Comparator.comparing(Task::at).thenComparingLong(Task::seq));
    private final MutableClock clock;
    private long seq;

    public SimScheduler(MutableClock clock) {
        this.clock = clock;
    }

    public MutableClock clock() {
        return clock;
    }

    public Instant now() {
        return clock.instant();
    }

    public void after(Duration delay, Runnable task) {
        queue.add(new Task(clock.instant().plus(delay), seq++, task));
    }

    /** Runs {@code task} every {@code period}, first after {@code offset}. */
    public void every(Duration period, Duration offset, Runnable task) {
        after(offset, new Runnable() {
            @Override
            public void run() {
                task.run();
                after(period, this);
            }
        });
    }

    public void runFor(Duration d) {
        Instant end = clock.instant().plus(d);
        while (!queue.isEmpty() && !queue.peek().at().isAfter(end)) {
            Task t = queue.poll();
            moveTo(t.at());
            t.run().run();
        }
        moveTo(end);
    }

    private void moveTo(Instant t) {
        if (t.isAfter(clock.instant())) {
            clock.advance(Duration.between(clock.instant(), t));
        }
    }
}
