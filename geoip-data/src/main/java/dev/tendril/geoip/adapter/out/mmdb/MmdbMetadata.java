package dev.tendril.geoip.adapter.out.mmdb;

import java.util.List;
import java.util.Map;

/**
 * The metadata map of a MaxMind DB file.
 *
 * @param databaseType  e.g. {@code GeoIP2-City}, {@code city ipv4}
 * @param ipVersion     4 or 6
 * @param nodeCount     nodes in the search tree
 * @param recordSize    24, 28 or 32
 * @param buildEpoch    seconds since 1970
 * @param languages     locale codes the file carries names for
 * @param description   locale to text
 */
public record MmdbMetadata(String databaseType, int ipVersion, long nodeCount, int recordSize, long buildEpoch,
                           List<String> languages, Map<String, String> description) {
    public MmdbMetadata {
        languages = List.copyOf(languages);
        description = Map.copyOf(description);
    }
}
