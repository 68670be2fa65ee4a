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

    /** The id written by {@link #toString}: 32 hex digits. Throws IllegalArgumentException for anything else. */
    public static MessageId parse(String hex) {
        if (hex == null || hex.length() != 32 || !hex.chars().allMatch(c -> "0123456789abcdefABCDEF".indexOf(c) >= 0)) {
            throw new IllegalArgumentException("a message id is 32 hex digits, got '" + hex + "'");
        }
        return new MessageId(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
    }

    @Override
    public String toString() {
        return String.format("%016x%016x", high, low);
    }
}
