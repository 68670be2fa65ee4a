package dev.tendril.geoip.adapter.out.maxmind;

import dev.tendril.geoip.adapter.out.mmdb.MmdbFormatException;
import dev.tendril.geoip.adapter.out.mmdb.MmdbReader;
import dev.tendril.geoip.domain.LayeredGeoLocator;
import dev.tendril.geoip.domain.ScopedGeoLocator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds locators from database files. The kind of each file comes from its metadata
 * {@code database_type}:
 * <ul>
 *   <li>{@code city ipv4} / {@code city ipv6} (ip-location-db flat schema): {@link FlatCityLocator};
 *       an IPv4 file and an IPv6 file next to each other in the list become one layer;</li>
 *   <li>anything else containing {@code City} (GeoIP2-City, GeoLite2-City, DBIP-City-Lite,
 *       Tendril-compiled): {@link MaxMindCityLocator}.</li>
 * </ul>
 * Files are memory-mapped read-only. Missing, unreadable, corrupt or unsupported files fail
 * with a {@link GeoDatabaseException} naming the file.
 */
public final class GeoDatabases {
    /** Classpath location of the compiled demo database (from geoip-data/csv/demo.csv). */
    public static final String DEMO_RESOURCE = "/dev/tendril/geoip/demo.mmdb";
    /** The name that stands for the demo database bundled in this jar in a list of databases. */
    public static final String BUILTIN_DEMO = "builtin:demo";
    /** Decoded records cached per file; see docs/geoip.md for the measurement behind it. */
    public static final int DEFAULT_CACHE_ENTRIES = 16384;

    private GeoDatabases() {
    }

    /** The files in order, first hit wins: put the private CSV-compiled database first. */
    public static LayeredGeoLocator open(List<Path> files) {
        return open(files, DEFAULT_CACHE_ENTRIES);
    }

    /** As {@link #open(List)}, caching {@code cacheEntries} decoded records per file (0: decode every time). */
    public static LayeredGeoLocator open(List<Path> files, int cacheEntries) {
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cacheEntries must be >= 0, got " + cacheEntries);
        }
        List<ScopedGeoLocator> layers = new ArrayList<>();
        MmdbReader flatV4 = null;
        MmdbReader flatV6 = null;
        String v4Name = null;
        String v6Name = null;
        for (Path file : files) {
            MmdbReader reader = openReader(file);
            String type = reader.metadata().databaseType();
            String lower = type.toLowerCase(Locale.ROOT);
            boolean flat = lower.equals("city ipv4") || lower.equals("city ipv6");
            boolean v4 = lower.endsWith("ipv4");
            if (!flat && !type.contains("City")) {
                throw new GeoDatabaseException("GeoIP database " + file + " has database_type '" + type
                        + "': supported are city databases in the GeoIP2-City schema (GeoIP2-City, GeoLite2-City,"
                        + " DBIP-City-Lite, bin/tendril-geoip-compile output) and the ip-location-db flat schema"
                        + " ('city ipv4', 'city ipv6')");
            }
            boolean pendingTaken = flat && (v4 ? flatV4 != null : flatV6 != null);
            if ((!flat || pendingTaken) && (flatV4 != null || flatV6 != null)) {
                layers.add(new FlatCityLocator(flatV4, v4Name, flatV6, v6Name, cacheEntries));
                flatV4 = null;
                flatV6 = null;
            }
            if (!flat) {
                layers.add(new MaxMindCityLocator(reader, cacheEntries, file.toString()));
            } else if (v4) {
                flatV4 = reader;
                v4Name = file.toString();
            } else {
                flatV6 = reader;
                v6Name = file.toString();
            }
        }
        if (flatV4 != null || flatV6 != null) {
            layers.add(new FlatCityLocator(flatV4, v4Name, flatV6, v6Name, cacheEntries));
        }
        return new LayeredGeoLocator(layers);
    }

    /**
     * Databases named in a configuration, asked in order (first hit wins): {@link #BUILTIN_DEMO}
     * for the bundled demo database, anything else a file path. Consecutive files form one
     * {@link #open(List)} layer (so a flat IPv4/IPv6 pair stays one layer).
     */
    public static LayeredGeoLocator openNamed(List<String> databases) {
        List<ScopedGeoLocator> layers = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (String db : databases) {
            if (db.equals(BUILTIN_DEMO)) {
                if (!files.isEmpty()) {
                    layers.add(open(List.copyOf(files)));
                    files.clear();
                }
                layers.add(demo());
            } else {
                files.add(Path.of(db));
            }
        }
        if (!files.isEmpty()) {
            layers.add(open(files));
        }
        return new LayeredGeoLocator(layers);
    }

    /** One GeoIP2-City-schema database file. */
    public static MaxMindCityLocator openCity(Path file) {
        return new MaxMindCityLocator(openReader(file), DEFAULT_CACHE_ENTRIES, file.toString());
    }

    /** The demo database bundled in this module's jar (compiled from geoip-data/csv/demo.csv), held in memory. */
    public static MaxMindCityLocator demo() {
        try (InputStream in = GeoDatabases.class.getResourceAsStream(DEMO_RESOURCE)) {
            if (in == null) {
                throw new GeoDatabaseException("the demo GeoIP database " + DEMO_RESOURCE + " is missing from the classpath");
            }
            return new MaxMindCityLocator(MmdbReader.of(in.readAllBytes()), DEFAULT_CACHE_ENTRIES, "classpath:" + DEMO_RESOURCE);
        } catch (IOException | MmdbFormatException e) {
            throw new GeoDatabaseException("reading the bundled demo GeoIP database failed: " + e.getMessage(), e);
        }
    }

    private static MmdbReader openReader(Path file) {
        if (!Files.exists(file)) {
            throw new GeoDatabaseException("GeoIP database " + file + " does not exist: compile one with"
                    + " bin/tendril-geoip-compile or fetch a public one with scripts/fetch-geoip.sh");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new GeoDatabaseException("GeoIP database " + file + " is not a readable file");
        }
        try {
            return MmdbReader.open(file);
        } catch (IOException e) {
            throw new GeoDatabaseException("GeoIP database " + file + " cannot be read: " + e, e);
        } catch (MmdbFormatException e) {
            throw new GeoDatabaseException("GeoIP database " + file + " is not a valid MaxMind DB (.mmdb) file: "
                    + e.getMessage(), e);
        }
    }
}
