package dev.tendril.protocol.geo;

/**
 * Where an address was located, and how wide the located network is.
 *
 * @param point         the position of the network
 * @param prefixLength  the prefix length of the GeoIP network that holds the address
 *                      (used as the ECS scope: the answer holds for the whole network)
 * @param city          city name, or empty when the database has none
 * @param country       ISO country code, or empty
 */
public record GeoLocation(GeoPoint point, int prefixLength, String city, String country) {
    public GeoLocation {
        java.util.Objects.requireNonNull(point, "point");
        if (prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("prefixLength must be in [0, 128], got " + prefixLength);
        }
        city = city == null ? "" : city;
        country = country == null ? "" : country;
    }
}
