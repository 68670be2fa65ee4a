package dev.tendril.geoip.adapter.out.maxmind;

/**
 * A GeoIP database could not be opened or read: missing, unreadable, corrupt, or of a
 * type no locator reads. The message names the file and what was expected.
 */
public final class GeoDatabaseException extends RuntimeException {
    public GeoDatabaseException(String message) {
        super(message);
    }

    public GeoDatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
