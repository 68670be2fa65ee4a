package dev.tendril.root.domain;

import dev.tendril.protocol.geo.GeoPoint;

import java.util.Objects;

/**
 * How answers are chosen.
 *
 * @param recordsPerAnswer how many nearest instances an answer holds (k >= 1)
 * @param defaultPosition  where clients that cannot be located are assumed to be
 * @param lastKnownWhenNoneLive when no instance is live: answer the nearest known ones (true) or nothing (false)
 */
public record ChoicePolicy(int recordsPerAnswer, GeoPoint defaultPosition, boolean lastKnownWhenNoneLive) {
    public ChoicePolicy {
        if (recordsPerAnswer < 1) {
            throw new IllegalArgumentException("recordsPerAnswer must be >= 1, got " + recordsPerAnswer);
        }
        Objects.requireNonNull(defaultPosition, "defaultPosition");
    }
}
