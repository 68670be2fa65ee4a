package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.Envelope;

import java.util.Objects;

/** Outcome of decoding one frame: an envelope, or why the frame was refused. Decoding never throws. */
public sealed interface DecodeResult {

    /** Why a frame was refused. */
    enum Reason {
        /** The version byte is outside [MIN_VERSION, VERSION] (a newer or much older peer). */
        UNKNOWN_VERSION,
        /** The type byte names no type this build can decode (a newer peer). */
        UNKNOWN_TYPE,
        /** The bytes are not a well-formed body (truncated, bad lengths, wrong value types, trailing bytes). */
        MALFORMED,
        /** Well-formed, but a record refused a field value (e.g. a service name that is not a DNS label). */
        INVALID_FIELD
    }

    record Decoded(Envelope envelope) implements DecodeResult {
        public Decoded {
            Objects.requireNonNull(envelope, "envelope");
        }
    }

    /** @param detail a human-readable reason, for debug logs */
    record Failure(Reason reason, String detail) implements DecodeResult {
        public Failure {
            Objects.requireNonNull(reason, "reason");
            detail = detail == null ? "" : detail;
        }
    }
}
