package dev.tendril.edge.monitoring.hardware;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalDouble;

/**
 * Samples of one figure over the last {@code length} of time. Times come from the caller
 * (an injected clock), so windows run on a fake clock in tests. Not thread-safe: one owner.
 */
public final class MovingWindow {
    private record Sample(Instant at, double value) {
    }

    private final Duration length;
    private final Deque<Sample> samples = new ArrayDeque<>();

    public MovingWindow(Duration length) {
        if (length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("window length must be > 0, got " + length);
        }
        this.length = length;
    }

    public Duration length() {
        return length;
    }

    public void add(Instant at, double value) {
        samples.addLast(new Sample(at, value));
        evict(at);
    }

    private void evict(Instant now) {
        Instant oldest = now.minus(length);
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(oldest)) {
            samples.removeFirst();
        }
    }

    public int size(Instant now) {
        evict(now);
        return samples.size();
    }

    public OptionalDouble mean(Instant now) {
        evict(now);
        if (samples.isEmpty()) {
            return OptionalDouble.empty();
        }
        double sum = 0; // loops, not streams: read every monitoring round for the node's whole life
        for (Sample s : samples) {
            sum += s.value();
        }
        return OptionalDouble.of(sum / samples.size());
    }

    public OptionalDouble max(Instant now) {
        evict(now);
        if (samples.isEmpty()) {
            return OptionalDouble.empty();
        }
        double max = Double.NEGATIVE_INFINITY;
        for (Sample s : samples) {
            max = Math.max(max, s.value());
        }
        return OptionalDouble.of(max);
    }

    public OptionalDouble latest() {
        return samples.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(samples.peekLast().value());
    }

    /**
     * True when the samples span (almost) the whole window and every one is above
     * {@code threshold}: "above the threshold for a window". {@code slack} allows for the
     * sampling interval (the first sample of a window lies up to one interval after its start).
     */
    public boolean aboveForWholeWindow(double threshold, Instant now, Duration slack) {
        evict(now);
        if (samples.isEmpty() || samples.peekFirst().at().isAfter(now.minus(length).plus(slack))) {
            return false;
        }
        for (Sample s : samples) {
            if (!(s.value() > threshold)) {
                return false;
            }
        }
        return true;
    }
}
