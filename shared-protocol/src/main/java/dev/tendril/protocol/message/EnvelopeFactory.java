package dev.tendril.protocol.message;

import java.time.Clock;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Makes request envelopes for one sender: a fresh random id from the injected generator
 * and {@code sentAt} from the injected clock. Thread-safe (calls are serialized, so a
 * non-thread-safe generator such as {@code SplittableRandom} may be passed).
 */
public final class EnvelopeFactory {
    private final String from;
    private final Clock clock;
    private final RandomGenerator random;

    public EnvelopeFactory(String from, Clock clock, RandomGenerator random) {
        this.from = Objects.requireNonNull(from, "from");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A request about {@code service} ("" when none) carrying {@code body}. */
    public synchronized Envelope create(String service, Message body) {
        return new Envelope(MessageId.random(random), service, from, clock.millis(), body);
    }
}
