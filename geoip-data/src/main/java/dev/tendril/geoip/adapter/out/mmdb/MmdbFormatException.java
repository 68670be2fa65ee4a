package dev.tendril.geoip.adapter.out.mmdb;

/** The bytes do not follow the MaxMind DB format (a corrupt or truncated file). */
public final class MmdbFormatException extends RuntimeException {
    public MmdbFormatException(String message) {
        super(message);
    }
}
