package dev.tendril.root.application.port.out;

/** The topology store failed (disk, corruption, a bug in a statement). Not an expected outcome. */
public class TopologyStoreException extends RuntimeException {
    public TopologyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
