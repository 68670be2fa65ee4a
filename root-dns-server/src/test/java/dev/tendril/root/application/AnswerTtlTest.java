package dev.tendril.root.application;

import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.adapter.in.dns.DnsConfig;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An answer's TTL never exceeds the configured maximum nor the time until its choice could
 * change on its own (a migration record expiring): for random migration tables on a fake
 * clock, the answer stays the same through every instant its TTL covers.
 */
class AnswerTtlTest {
    static final int MAX_TTL = 10;
    final MutableClock clock = new MutableClock(1_700_000_000_000L);
    final SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
    final ResolveService resolve = new ResolveService(dir, World.locator(), clock,
            DnsConfig.builder().answerTtlSeconds(MAX_TTL).build().resolvePolicy());

    Resolution ask(Cidr client) throws Exception {
        return resolve.resolve(new ServiceQuery("svc.example.edge.", List.of("web"), QueryType.A,
                InetAddress.getByName("127.0.0.1"), Optional.of(client)));
    }

    @Test
    void theTtlCoversOnlyTimeInWhichTheAnswerCannotChange() throws Exception {
        dir.batch(d -> {
            d.putInstance("web", World.FRA, true);
            d.putInstance("web", World.NYC, true);
            d.putInstance("web", World.TYO, true);
        });
        Random random = new Random(11);
        String[] targets = {"fra1", "nyc1", "tyo1"};
        String[] prefixes = {"198.51.0.0/16", "198.51.100.0/24", "198.51.100.0/25", "198.51.101.0/24"};
        int checked = 0;
        for (int scenario = 0; scenario < 300; scenario++) {
            for (int i = random.nextInt(4); i > 0; i--) {
                dir.putMigration("web", Cidr.parse(prefixes[random.nextInt(prefixes.length)]), targets[random.nextInt(3)],
                        clock.millis() + 100 + random.nextInt(30_000));
            }
            Cidr client = Cidr.parse("198.51." + (100 + random.nextInt(2)) + "." + (random.nextInt(2) * 128) + "/25");
            Resolution.Found first = (Resolution.Found) ask(client);
            assertTrue(first.ttlSeconds() >= 0 && first.ttlSeconds() <= MAX_TTL, "TTL " + first.ttlSeconds());
            long start = clock.millis();
            for (long t = 0; t < first.ttlSeconds() * 1000L; t += 50) {
                clock.advance(Duration.ofMillis(50));
                assertEquals(first.answers(), ((Resolution.Found) ask(client)).answers(),
                        "scenario " + scenario + ": the answer changed " + (clock.millis() - start) + " ms into a TTL of "
                                + first.ttlSeconds() + " s");
                checked++;
            }
            clock.advance(Duration.ofMillis(random.nextInt(5_000)));
        }
        assertTrue(checked > 10_000, "instants checked: " + checked);
    }
}
