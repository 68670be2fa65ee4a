package dev.tendril.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;


/**
 * The fuzz acceptance of issue 10 (a benchmark, not CI: it runs only with {@code -Dbench=true}):
 * a real root and edge (lan preset, CURVE on, see {@link FuzzTargets}) take at least 1,000,000
 * mutated DNS packets over UDP, 20,000 mutated messages over TCP and 200,000 mutated frames at
 * each ZeroMQ plane from enrolled keys, plus frames from keyless and unknown-key clients; valid
 * probes are interleaved (see {@link FuzzCampaign}). Passes when both processes are alive at the
 * end, every probe was answered correctly, strangers got no reply and RSS stayed bounded.
 *
 * <p>{@code bench/fuzz/run.sh} or {@code mvn -o -q -pl clients -am verify -Dtest=None -Dit.test=FuzzBench -Dbench=true
 * [-Dfuzz.seed=N] [-Dfuzz.udp=1000000] [-Dfuzz.tcp=20000] [-Dfuzz.frames=200000]
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class FuzzBench {
    /** The highest RSS either process may reach (its heap is bounded by the launcher's defaults; this catches a leak). */
    static final long MAX_RSS_KB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void mutatedDnsAndFramesCrashNothingAndValidQueriesAreAnswered() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime() & 0xffffffffL);
        FuzzCampaign.Counts counts = new FuzzCampaign.Counts(Long.getLong("fuzz.udp", 1_000_000), 100,
                Long.getLong("fuzz.tcp", 20_000), 500, Long.getLong("fuzz.frames", 200_000), 200, 2_000);
        System.out.println("fuzz bench: seed " + seed + " (-Dfuzz.seed), " + counts);
        long t0 = System.nanoTime();
        FuzzCampaign.Result r;
        try (FuzzTargets targets = FuzzTargets.start(dir)) {
            r = FuzzCampaign.run(targets, counts, seed);
        }
        r.lines().forEach(l -> System.out.println("fuzz: " + l));
        System.out.printf("fuzz: %.0f s in all (start of the processes included)%n", (System.nanoTime() - t0) / 1e9);
        FuzzSmokeIT.assertHealthy(r, counts, MAX_RSS_KB);
    }
}
