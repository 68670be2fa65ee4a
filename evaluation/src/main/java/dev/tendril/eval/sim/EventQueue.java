package dev.tendril.eval.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/** Discrete-event time: tasks run in time order (ties in the order they were scheduled). */
public final class EventQueue {
    private record Task(Instant at, long seq, Runnable run) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final SimClock clock;
    private long seq;
    private long executed;

    public EventQueue(SimClock clock) {
        this.clock = clock;
    }

    public SimClock clock() {
        return clock;
    }

    /** Runs {@code task} at an absolute simulated time (never before the current event). */
    public void at(Instant at, Runnable task) {
        Instant when = at.isBefore(clock.eventTime()) ? clock.eventTime() : at;
        queue.add(new Task(when, seq++, task));
    }

    /** Runs {@code task} {@code delay} after the clock's current reading. */
    public void after(Duration delay, Runnable task) {
        at(clock.instant().plus(delay), task);
    }

    /** Runs {@code task} every {@code period}, first at {@code first}. */
    public void every(Duration period, Instant first, Runnable task) {
        at(first, new Runnable() {
            private Instant next = first;

            @Override
            public void run() {
                task.run();
                next = next.plus(period);
                at(next, this);
            }
        });
    }

    public void runFor(Duration d) {
        Instant end = clock.eventTime().plus(d);
        while (!queue.isEmpty() && !queue.peek().at().isAfter(end)) {
            Task t = queue.poll();
            clock.enter(t.at());
            try {
                t.run().run();
            } finally {
                clock.leave();
            }
            executed++;
        }
        clock.advanceTo(end);
    }

    public long executed() {
        return executed;
    }

    public Instant now() {
        return clock.eventTime();
    }
}
