package dev.tendril.root.application;

import dev.tendril.root.domain.ChoicePolicy;

import java.util.Objects;

/**
 * @param answerTtlSeconds TTL of service and node answers (a migration answer never outlives its record)
 * @param choice           how instances are chosen
 */
public record ResolvePolicy(int answerTtlSeconds, ChoicePolicy choice) {
    public ResolvePolicy {
        if (answerTtlSeconds < 1) {
            throw new IllegalArgumentException("answerTtlSeconds must be >= 1, got " + answerTtlSeconds);
        }
        Objects.requireNonNull(choice, "choice");
    }
}
