package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;

import java.util.Objects;

/** Outcome of {@link RequestClient#request}: the reply, or a timeout after every attempt. */
public sealed interface RequestResult {

    /** @param attempts how many attempts it took (1 when the first one was answered) */
    record Reply(Envelope envelope, int attempts) implements RequestResult {
        public Reply {
            Objects.requireNonNull(envelope, "envelope");
        }
    }

    /** No reply within {@code attempts} attempts of the per-attempt timeout each. */
    record TimedOut(int attempts) implements RequestResult {
    }
}
