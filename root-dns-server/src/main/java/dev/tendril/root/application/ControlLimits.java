package dev.tendril.root.application;

import java.time.Duration;

/**
 * What one control request may ask of the root, and how much state all of them together may
 * leave behind (see docs/security.md, "Limits and quotas").
 *
 * @param minIpv4Prefix             a migrated IPv4 subnet is no wider than this prefix (e.g. 16: /16 or narrower)
 * @param minIpv6Prefix             a migrated IPv6 subnet is no wider than this prefix
 * @param maxMigrationLifetime      a migration record lives at most this long
 * @param maxSubnetsPerRequest      subnets in one RecordMigration at most
 * @param maxMigrationsPerService   migration records stored per service at most
 * @param maxMigrationsTotal        migration records stored over all services at most
 * @param maxInstancesPerService    nodes in one service tree at most
 * @param maxServicesPerPlatform    trees one platform (node id) may be a node of at most
 */
public record ControlLimits(int minIpv4Prefix, int minIpv6Prefix, Duration maxMigrationLifetime, int maxSubnetsPerRequest,
                            int maxMigrationsPerService, int maxMigrationsTotal, int maxInstancesPerService,
                            int maxServicesPerPlatform) {
    public ControlLimits {
        require(minIpv4Prefix >= 0 && minIpv4Prefix <= 32, "minIpv4Prefix", minIpv4Prefix, "0-32");
        require(minIpv6Prefix >= 0 && minIpv6Prefix <= 128, "minIpv6Prefix", minIpv6Prefix, "0-128");
        require(maxMigrationLifetime.toMillis() >= 1, "maxMigrationLifetime", maxMigrationLifetime, ">= 1 ms");
        require(maxSubnetsPerRequest >= 1, "maxSubnetsPerRequest", maxSubnetsPerRequest, ">= 1");
        require(maxMigrationsPerService >= 1, "maxMigrationsPerService", maxMigrationsPerService, ">= 1");
        require(maxMigrationsTotal >= 1, "maxMigrationsTotal", maxMigrationsTotal, ">= 1");
        require(maxInstancesPerService >= 1, "maxInstancesPerService", maxInstancesPerService, ">= 1");
        require(maxServicesPerPlatform >= 1, "maxServicesPerPlatform", maxServicesPerPlatform, ">= 1");
    }

    /** /16 and /32, 1 h, 64 subnets, 10,000 records per service, 100,000 in total, 200,000 instances per service, 1,000 services per platform. */
    public static ControlLimits defaults() {
        return new ControlLimits(16, 32, Duration.ofHours(1), 64, 10_000, 100_000, 200_000, 1_000);
    }

    /** No practical limit (tests and benchmarks that measure something else). */
    public static ControlLimits unlimited() {
        return new ControlLimits(0, 0, Duration.ofMillis(Long.MAX_VALUE), Integer.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** A refusal log for callers that only count (simulations, tests): it logs nothing. */
    public static dev.tendril.protocol.refusal.RefusalLog quietRefusals() {
        return new dev.tendril.protocol.refusal.RefusalLog(org.slf4j.helpers.NOPLogger.NOP_LOGGER, java.time.Clock.systemUTC(),
                java.time.Duration.ofMinutes(1), 1);
    }

    private static void require(boolean ok, String key, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": got " + value + "; allowed: " + allowed);
        }
    }
}
