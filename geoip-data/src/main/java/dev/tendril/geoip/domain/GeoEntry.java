package dev.tendril.geoip.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.net.Cidr;

import java.util.Objects;

/**
 * One network of a GeoIP source: every address in {@code network} is placed at
 * {@code point}, in {@code city} of {@code country}.
 *
 * @param network  an IPv4 or IPv6 network (host bits clear)
 * @param point    the position
 * @param city     city name (any text, may be empty)
 * @param country  ISO 3166-1 alpha-2 code in upper case, or empty
 */
public record GeoEntry(Cidr network, GeoPoint point, String city, String country) {
    public GeoEntry {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(point, "point");
        city = city == null ? "" : city;
        country = country == null ? "" : country;
        if (!country.isEmpty() && !country.matches("[A-Z]{2}")) {
            throw new IllegalArgumentException("country must be two upper-case letters or empty, got '" + country + "'");
        }
    }
}
