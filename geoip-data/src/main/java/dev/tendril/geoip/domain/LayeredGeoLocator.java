package dev.tendril.geoip.domain;

import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.geo.GeoLocator;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Asks several locators in order (the private CSV-compiled database first, a public one
 * after it) and answers the first hit.
 *
 * <p>Scope: a hit from a later layer holds only where every earlier layer also misses, so
 * the prefix length answered is the longest of the hit's and the earlier misses' prefix
 * lengths (the networks all hold the address, so they nest). A miss everywhere answers the
 * longest miss prefix. Layers that are plain {@link GeoLocator}s tell nothing about their
 * misses and count as /0 there.
 *
 * <p>Thread-safe when its layers are; closing it closes the layers that are closeable.
 */
public final class LayeredGeoLocator implements ScopedGeoLocator, AutoCloseable {
    private final GeoLocator[] layers;

    public LayeredGeoLocator(List<? extends GeoLocator> layers) {
        this.layers = layers.toArray(new GeoLocator[0]);
    }

    @Override
    public GeoLookup lookup(InetAddress address) {
        int scope = 0;
        for (GeoLocator layer : layers) {
            GeoLookup result = lookupIn(layer, address);
            if (result instanceof GeoLookup.Located hit) {
                GeoLocation loc = hit.location();
                return scope <= loc.prefixLength() ? hit
                        : new GeoLookup.Located(new GeoLocation(loc.point(), scope, loc.city(), loc.country()));
            }
            scope = Math.max(scope, result.prefixLength());
        }
        return new GeoLookup.Unlocated(scope);
    }

    private static GeoLookup lookupIn(GeoLocator layer, InetAddress address) {
        if (layer instanceof ScopedGeoLocator scoped) {
            return scoped.lookup(address);
        }
        Optional<GeoLocation> hit = layer.locate(address);
        return hit.<GeoLookup>map(GeoLookup.Located::new).orElseGet(() -> new GeoLookup.Unlocated(0));
    }

    /** The layers, in the order they are asked. */
    public List<GeoLocator> layers() {
        return List.of(layers);
    }

    @Override
    public void close() {
        Exception first = null;
        for (GeoLocator layer : layers) {
            if (layer instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
        }
        if (first != null) {
            throw new IllegalStateException("closing a GeoIP layer failed: " + first.getMessage(), first);
        }
    }
}
