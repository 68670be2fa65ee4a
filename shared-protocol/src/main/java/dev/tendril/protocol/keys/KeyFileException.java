package dev.tendril.protocol.keys;

/** A key file is missing, unreadable, malformed or open to others; the message says which and how to fix it. */
public final class KeyFileException extends RuntimeException {
    public KeyFileException(String message) {
        super(message);
    }
}
