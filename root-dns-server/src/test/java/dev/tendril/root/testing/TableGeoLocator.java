package dev.tendril.root.testing;

import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.net.Cidr;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Fake GeoLocator: a small table of networks; the most specific network containing the address wins. */
public final class TableGeoLocator implements GeoLocator {
    private record Entry(Cidr network, GeoLocation location) {
    }

    private final List<Entry> entries = new ArrayList<>();

    public TableGeoLocator add(String cidr, double lat, double lon, String city) {
        Cidr c = Cidr.parse(cidr);
        entries.add(new Entry(c, new GeoLocation(new GeoPoint(lat, lon), c.prefixLength(), city, "")));
        return this;
    }

    @Override
    public Optional<GeoLocation> locate(InetAddress address) {
        Entry best = null;
        for (Entry e : entries) {
            if (e.network.contains(address) && (best == null || e.network.prefixLength() > best.network.prefixLength())) {
                best = e;
            }
        }
        return best == null ? Optional.empty() : Optional.of(best.location);
    }
}
