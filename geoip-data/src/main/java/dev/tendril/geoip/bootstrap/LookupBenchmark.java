package dev.tendril.geoip.bootstrap;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import dev.tendril.geoip.adapter.out.maxmind.FlatCityRecord;
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
 * Measures the cost of a layered lookup through {@link GeoDatabases#open} (with several cache
 * sizes) and through MaxMind's own readers layered the same way: ns per lookup on one thread
 * (best of 5 rounds) and bytes allocated per lookup. Not a test: the figures go into docs/geoip.md.
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
        for (int cache : new int[] {0, 4096, GeoDatabases.DEFAULT_CACHE_ENTRIES, 65536}) {
            try (LayeredGeoLocator geo = GeoDatabases.open(dbs, cache)) {
                measure("tendril GeoDatabases.open, cache " + cache, a -> geo.lookup(a) instanceof GeoLookup.Located ? 1 : 0,
                        addresses);
            }
        }
        LibraryLayers library = LibraryLayers.open(dbs);
        try {
            measure("maxmind library (DatabaseReader / Reader+FlatCityRecord), CHMCache", library::locate, addresses);
        } finally {
            library.close();
        }
    }

    /** The same layering done with MaxMind's own readers, for comparison. */
    private record LibraryLayers(List<Object> layers) {
        static LibraryLayers open(List<Path> files) throws Exception {
            List<Object> layers = new ArrayList<>();
            for (Path f : files) {
                Reader r = new Reader(f.toFile(), Reader.FileMode.MEMORY_MAPPED, new CHMCache());
                if (r.getMetadata().databaseType().startsWith("city ipv")) {
                    layers.add(r);
                } else {
                    r.close();
                    layers.add(new DatabaseReader.Builder(f.toFile()).fileMode(Reader.FileMode.MEMORY_MAPPED)
                            .withCache(new CHMCache()).build());
                }
            }
            return new LibraryLayers(layers);
        }

        int locate(InetAddress a) throws Exception {
            for (Object layer : layers) {
                if (layer instanceof DatabaseReader d) {
                    var c = d.tryCity(a);
                    if (c.isPresent() && c.get().location().latitude() != null) {
                        return 1;
                    }
                } else {
                    Reader r = (Reader) layer;
                    boolean v4File = r.getMetadata().ipVersion() == 4;
                    if (v4File == (a instanceof java.net.Inet4Address)) {
                        FlatCityRecord rec = r.get(a, FlatCityRecord.class);
                        if (rec != null && rec.latitude() != null) {
                            return 1;
                        }
                    }
                }
            }
            return 0;
        }

        void close() throws Exception {
            for (Object layer : layers) {
                ((java.io.Closeable) layer).close();
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
        double bestCpu = Double.MAX_VALUE;
        long allocated = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long bytes0 = mx.getCurrentThreadAllocatedBytes();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (InetAddress a : addresses) {
                hits += probe.run(a);
            }
            long t1 = System.nanoTime();
            long cpu1 = mx.getCurrentThreadCpuTime();
            allocated = mx.getCurrentThreadAllocatedBytes() - bytes0;
            best = Math.min(best, (t1 - t0) / (double) addresses.length);
            bestCpu = Math.min(bestCpu, (cpu1 - cpu0) / (double) addresses.length);
        }
        System.out.printf(Locale.ROOT, "%-72s %7.0f ns wall %7.0f ns cpu  %5d B  per lookup%n",
                name, best, bestCpu, allocated / addresses.length);
        if (hits < 0) {
            System.out.println(); // keeps the JIT from dropping the lookups
        }
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
