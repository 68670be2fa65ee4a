package dev.tendril.geoip.bootstrap;

import com.maxmind.db.CHMCache;
import com.maxmind.db.NoCache;
import com.maxmind.geoip2.DatabaseReader;
import dev.tendril.geoip.adapter.out.maxmind.GeoDatabases;
import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.LayeredGeoLocator;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Measures the cost of a lookup through {@link GeoDatabases#open} (layered) and, for the first
 * file, through {@code DatabaseReader.city}: ns per lookup on one thread and bytes allocated per
 * lookup, with and without the record cache. Not a test: the figures go into docs/geoip.md.
 *
 * <p>{@code LookupBenchmark <db.mmdb>...} — addresses: 1/4 from the demo ranges (private
 * layer hits), 3/4 random public IPv4 and IPv6 (fall through to the later layers).
 */
public final class LookupBenchmark {
    private static final int ADDRESSES = 1 << 16;
    private static final int ROUNDS = 5;

    private LookupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Path> dbs = new ArrayList<>();
        for (String a : args) {
            dbs.add(Path.of(a));
        }
        InetAddress[] addresses = addresses(new Random(1));
        System.out.printf(Locale.ROOT, "%d addresses, %d rounds each, databases %s, java %s%n",
                ADDRESSES, ROUNDS, dbs, System.getProperty("java.version"));
        for (int cache : new int[] {0, GeoDatabases.DEFAULT_CACHE_ENTRIES}) {
            try (LayeredGeoLocator geo = GeoDatabases.open(dbs, cache)) {
                measure("layered, cache " + cache, a -> geo.lookup(a) instanceof GeoLookup.Located ? 1 : 0, addresses);
            }
        }
        for (boolean cached : new boolean[] {false, true}) {
            try (DatabaseReader r = new DatabaseReader.Builder(dbs.get(0).toFile())
                    .withCache(cached ? new CHMCache(GeoDatabases.DEFAULT_CACHE_ENTRIES) : NoCache.getInstance()).build()) {
                measure("DatabaseReader.tryCity on " + dbs.get(0).getFileName() + (cached ? ", cache" : ", no cache"),
                        a -> r.tryCity(a).isPresent() ? 1 : 0, addresses);
            }
        }
    }

    private interface Probe {
        int run(InetAddress a) throws Exception;
    }

    private static void measure(String name, Probe probe, InetAddress[] addresses) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long hits = 0;
        for (int warm = 0; warm < 3; warm++) {
            for (InetAddress a : addresses) {
                hits += probe.run(a);
            }
        }
        double best = Double.MAX_VALUE;
        long allocated = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long bytes0 = mx.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            for (InetAddress a : addresses) {
                hits += probe.run(a);
            }
            long t1 = System.nanoTime();
            allocated = mx.getCurrentThreadAllocatedBytes() - bytes0;
            best = Math.min(best, (t1 - t0) / (double) addresses.length);
        }
        System.out.printf(Locale.ROOT, "%-60s %8.0f ns/lookup  %6d B/lookup  (hits %d)%n",
                name, best, allocated / addresses.length, hits);
    }

    private static InetAddress[] addresses(Random random) throws Exception {
        InetAddress[] out = new InetAddress[ADDRESSES];
        for (int i = 0; i < out.length; i++) {
            byte[] b;
            switch (i % 4) {
                case 0 -> b = new byte[] {(byte) 198, (byte) 18, (byte) random.nextInt(12), (byte) random.nextInt(256)};
                case 1, 2 -> {
                    b = new byte[4];
                    random.nextBytes(b);
                    b[0] = (byte) (1 + random.nextInt(223)); // unicast, mostly public
                }
                default -> {
                    b = new byte[16];
                    random.nextBytes(b);
                    b[0] = 0x20;
                    b[1] = (byte) (random.nextBoolean() ? 0x01 : 0x0a); // 2001::/16 and 200a-ish: allocated space
                }
            }
            out[i] = InetAddress.getByAddress(b);
        }
        return out;
    }
}
