package dev.tendril.geoip.domain;

import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.geo.GeoLocator;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A {@link GeoLocator} that also tells how wide the network of a miss is, so that a
 * caller (and {@link LayeredGeoLocator}) can give the right ECS scope for every answer.
 * Thread-safe; no blocking I/O per call.
 */
public interface ScopedGeoLocator extends GeoLocator {

    /** Locates {@code address}; never null. */
    GeoLookup lookup(InetAddress address);

    @Override
    default Optional<GeoLocation> locate(InetAddress address) {
        return lookup(address) instanceof GeoLookup.Located hit ? Optional.of(hit.location()) : Optional.empty();
    }
}
