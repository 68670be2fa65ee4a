package dev.tendril.geoip.adapter.out.maxmind;

import dev.tendril.protocol.geo.GeoPoint;

/**
 * What a database record says about a place, decoded once and cached by its data offset.
 *
 * @param offset   data-section offset of the record
 * @param point    the position, or null when the record has no valid coordinates
 * @param city     city name or ""
 * @param country  ISO country code or ""
 */
record Place(int offset, GeoPoint point, String city, String country) {
}
