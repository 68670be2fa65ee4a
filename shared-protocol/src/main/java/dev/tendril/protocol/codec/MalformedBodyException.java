package dev.tendril.protocol.codec;

/**
 * Thrown inside the codec while reading a body that is not what the codec expects
 * (truncated, wrong type, bad length, too few fields). {@link FrameCodec#decode} turns it
 * into a {@link DecodeResult.Failure}; it never leaves the codec package's public API.
 */
final class MalformedBodyException extends RuntimeException {
    MalformedBodyException(String message) {
        super(message, null, false, false);
    }
}
