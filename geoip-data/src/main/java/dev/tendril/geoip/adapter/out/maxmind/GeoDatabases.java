package dev.tendril.geoip.adapter.out.maxmind;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Metadata;
import com.maxmind.db.NodeCache;
import com.maxmind.db.Reader;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.geoip.domain.ScopedGeoLocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds locators from database files. The kind of each file comes from its metadata
 * {@code database_type}:
 * <ul>
 *   <li>anything containing {@code City} (GeoIP2-City, GeoLite2-City, DBIP-City-Lite,
 *       Tendril-compiled GeoIP2-City) is read by {@link MaxMindCityLocator};</li>
 *   <li>{@code city ipv4} / {@code city ipv6} (ip-location-db flat schema) by
 *       {@link FlatCityLocator}; an IPv4 file and an IPv6 file next to each other in the
 *       list become one layer.</li>
 * </ul>
 * Files are memory-mapped. Missing, unreadable, corrupt or unsupported files fail with a
 * {@link GeoDatabaseException} naming the file.
 */
public final class GeoDatabases {
    /** Classpath location of the compiled demo database (from geoip-data/csv/demo.csv). */
    public static final String DEMO_RESOURCE = "/dev/tendril/geoip/demo.mmdb";
    /** Decoded records kept per reader; see docs/geoip.md for the measurement behind it. */
    public static final int DEFAULT_CACHE_ENTRIES = 4096;

    private GeoDatabases() {
    }

    /** The files in order, first hit wins: put the private CSV-compiled database first. */
    public static LayeredGeoLocator open(List<Path> files) {
        List<ScopedGeoLocator> layers = new ArrayList<>();
        Reader flatV4 = null;
        Reader flatV6 = null;
        String flatName = null;
        try {
            for (Path file : files) {
                Reader reader = openReader(file);
                Metadata meta = reader.getMetadata();
                String type = meta.databaseType() == null ? "" : meta.databaseType();
                String lower = type.toLowerCase(Locale.ROOT);
                if (lower.equals("city ipv4") || lower.equals("city ipv6")) {
                    boolean v4 = lower.endsWith("ipv4");
                    if ((v4 && flatV4 != null) || (!v4 && flatV6 != null)) {
                        layers.add(new FlatCityLocator(flatV4, flatV6, flatName));
                        flatV4 = null;
                        flatV6 = null;
                        flatName = null;
                    }
                    if (v4) {
                        flatV4 = reader;
                    } else {
                        flatV6 = reader;
                    }
                    flatName = flatName == null ? file.toString() : flatName + " + " + file;
                } else if (type.contains("City")) {
                    if (flatName != null) {
                        layers.add(new FlatCityLocator(flatV4, flatV6, flatName));
                        flatV4 = null;
                        flatV6 = null;
                        flatName = null;
                    }
                    layers.add(new MaxMindCityLocator(reader, file.toString()));
                } else {
                    close(reader);
                    throw new GeoDatabaseException("GeoIP database " + file + " has database_type '" + type
                            + "': supported are city databases in the GeoIP2-City schema (GeoIP2-City, GeoLite2-City,"
                            + " DBIP-City-Lite, bin/tendril-geoip-compile output) and the ip-location-db flat schema"
                            + " ('city ipv4', 'city ipv6')");
                }
            }
            if (flatName != null) {
                layers.add(new FlatCityLocator(flatV4, flatV6, flatName));
                flatV4 = null;
                flatV6 = null;
            }
        } catch (RuntimeException e) {
            close(flatV4);
            close(flatV6);
            new LayeredGeoLocator(layers).close();
            throw e;
        }
        return new LayeredGeoLocator(layers);
    }

    /** One GeoIP2-City database file. */
    public static MaxMindCityLocator openCity(Path file) {
        return new MaxMindCityLocator(openReader(file), file.toString());
    }

    /** The demo database bundled in this module's jar (compiled from geoip-data/csv/demo.csv), held in memory. */
    public static MaxMindCityLocator demo() {
        try (InputStream in = GeoDatabases.class.getResourceAsStream(DEMO_RESOURCE)) {
            if (in == null) {
                throw new GeoDatabaseException("the demo GeoIP database " + DEMO_RESOURCE + " is missing from the classpath");
            }
            return new MaxMindCityLocator(new Reader(in, cache()), "classpath:" + DEMO_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the bundled demo GeoIP database failed", e);
        }
    }

    static NodeCache cache() {
        return new CHMCache(DEFAULT_CACHE_ENTRIES);
    }

    private static Reader openReader(Path file) {
        if (!Files.exists(file)) {
            throw new GeoDatabaseException("GeoIP database " + file + " does not exist: compile one with"
                    + " bin/tendril-geoip-compile or fetch a public one with scripts/fetch-geoip.sh");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new GeoDatabaseException("GeoIP database " + file + " is not a readable file");
        }
        try {
            return new Reader(file.toFile(), Reader.FileMode.MEMORY_MAPPED, cache());
        } catch (IOException | RuntimeException e) {
            throw new GeoDatabaseException("GeoIP database " + file + " is not a valid MaxMind DB (.mmdb) file: "
                    + e.getMessage(), e);
        }
    }

    private static void close(Reader reader) {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                // already failing with a clearer error; the reader only holds a mapping
            }
        }
    }
}
