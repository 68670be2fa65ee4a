package dev.tendril.protocol.geo;

import java.net.InetAddress;
import java.util.Optional;

/** Port: locates a network address on the map. Implementations must be thread-safe and do no blocking I/O per call. */
public interface GeoLocator {
    /** The location of the address, or empty when no database knows it. */
    Optional<GeoLocation> locate(InetAddress address);
}
