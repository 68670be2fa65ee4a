package dev.tendril.protocol.message;

import java.util.random.RandomGenerator;

/**
 * Unique id of one request. A retry carries the same id, so receivers can drop duplicates
 * and answer with the reply they already gave. 128 random bits: collisions are not a concern.
 */
public record MessageId(long high, long low) {
    /** A fresh id drawn from the given (injected) generator. */
    public static MessageId random(RandomGenerator random) {
        return new MessageId(random.nextLong(), random.nextLong());
    }

    @Override
    public String toString() {
        return String.format("%016x%016x", high, low);
    }
}
