package dev.tendril.geoip.adapter.out.maxmind;

import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;

/**
 * A record of the flat schema of the ip-location-db {@code *-city-mmdb} packages
 * ({@code country_code, state1, state2, city, postcode, latitude, longitude, timezone}).
 * Latitude and longitude are floats there; they are taken as any number. For MaxMind's
 * {@code com.maxmind.db.Reader}: the reference that {@code ReaderCrossCheck} compares
 * {@link FlatCityLocator} with; the lookup path itself does not use it.
 */
public record FlatCityRecord(String countryCode, String city, Object latitude, Object longitude) {

    @MaxMindDbConstructor
    public FlatCityRecord(
            @MaxMindDbParameter(name = "country_code") String countryCode,
            @MaxMindDbParameter(name = "city") String city,
            @MaxMindDbParameter(name = "latitude") Object latitude,
            @MaxMindDbParameter(name = "longitude") Object longitude) {
        this.countryCode = countryCode;
        this.city = city;
        this.latitude = latitude;
        this.longitude = longitude;
    }
}
