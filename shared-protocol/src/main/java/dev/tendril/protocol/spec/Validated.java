package dev.tendril.protocol.spec;

import java.util.List;
import java.util.Objects;

/** Result of reading a document: the value, or every problem found in it. */
public sealed interface Validated<T> {
    record Valid<T>(T value) implements Validated<T> {
        public Valid {
            Objects.requireNonNull(value, "value");
        }
    }

    record Invalid<T>(List<String> problems) implements Validated<T> {
        public Invalid {
            problems = List.copyOf(problems);
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("an invalid result needs at least one problem");
            }
        }
    }

    static <T> Validated<T> of(T value, Problems problems) {
        return problems.isEmpty() ? new Valid<>(value) : new Invalid<>(problems.messages());
    }

    /** The value, or an IllegalArgumentException listing every problem. */
    default T orThrow() {
        if (this instanceof Valid<T> v) {
            return v.value();
        }
        throw new IllegalArgumentException(String.join("\n", ((Invalid<T>) this).problems()));
    }
}
