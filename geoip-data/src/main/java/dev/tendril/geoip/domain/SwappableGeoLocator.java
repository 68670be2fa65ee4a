package dev.tendril.geoip.domain;

import java.net.InetAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link ScopedGeoLocator} whose databases can be replaced while it answers (a GeoIP
 * reload): each lookup reads the current locator once, so a lookup in flight finishes on the
 * databases it started with and the next one uses the new ones; no lookup waits or fails.
 * The replaced locator stays usable until its owner closes it (after lookups in flight ended).
 */
public final class SwappableGeoLocator implements ScopedGeoLocator, AutoCloseable {
    private final AtomicReference<LayeredGeoLocator> current;

    public SwappableGeoLocator(LayeredGeoLocator first) {
        this.current = new AtomicReference<>(Objects.requireNonNull(first, "first"));
    }

    @Override
    public GeoLookup lookup(InetAddress address) {
        return current.get().lookup(address);
    }

    /** Puts {@code next} in place and returns the locator it replaced (not closed: close it once lookups in flight ended). */
    public LayeredGeoLocator swap(LayeredGeoLocator next) {
        return current.getAndSet(Objects.requireNonNull(next, "next"));
    }

    /** The locator answering now. */
    public LayeredGeoLocator current() {
        return current.get();
    }

    @Override
    public void close() {
        current.get().close();
    }
}
