package dev.tendril.geoip.adapter.out.maxmind;

import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;

import java.util.Map;

/**
 * The few fields of a GeoIP2-City record that locating needs, for MaxMind's
 * {@code com.maxmind.db.Reader}: the reference that {@code ReaderCrossCheck} compares
 * {@link MaxMindCityLocator} with. The lookup path itself does not use it (docs/geoip.md).
 */
public record GeoIp2CityRecord(Names city, IsoCode country, Coordinates location) {

    @MaxMindDbConstructor
    public GeoIp2CityRecord(
            @MaxMindDbParameter(name = "city") Names city,
            @MaxMindDbParameter(name = "country") IsoCode country,
            @MaxMindDbParameter(name = "location") Coordinates location) {
        this.city = city;
        this.country = country;
        this.location = location;
    }

    /** {@code city}: localized names. */
    public record Names(Map<String, String> names) {
        @MaxMindDbConstructor
        public Names(@MaxMindDbParameter(name = "names") Map<String, String> names) {
            this.names = names;
        }

        String english() {
            return names == null ? "" : names.getOrDefault("en", "");
        }
    }

    /** {@code country}: ISO 3166-1 alpha-2 code. */
    public record IsoCode(String isoCode) {
        @MaxMindDbConstructor
        public IsoCode(@MaxMindDbParameter(name = "iso_code") String isoCode) {
            this.isoCode = isoCode;
        }
    }

    /** {@code location}: WGS84 degrees. */
    public record Coordinates(Double latitude, Double longitude) {
        @MaxMindDbConstructor
        public Coordinates(
                @MaxMindDbParameter(name = "latitude") Double latitude,
                @MaxMindDbParameter(name = "longitude") Double longitude) {
            this.latitude = latitude;
            this.longitude = longitude;
        }
    }
}
