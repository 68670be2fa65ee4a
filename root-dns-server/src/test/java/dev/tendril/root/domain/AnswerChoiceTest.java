package dev.tendril.root.domain;

import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.TableGeoLocator;
import dev.tendril.root.testing.World;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnswerChoiceTest {
    private final MutableClock clock = new MutableClock(1_000_000);
    private final SpatialInstanceDirectory dir = new SpatialInstanceDirectory(clock);
    private final TableGeoLocator geo = World.locator()
            .add("10.1.0.0/16", 52.52, 13.40, "Berlin-wide")   // a wide GeoIP network holding migrated subnets
            .add("100.64.0.0/10", -37.81, 144.96, "Melbourne-wide");
    private AnswerChoice choice = new AnswerChoice(new ChoicePolicy(1, World.NEW_YORK, false));

    @BeforeEach
    void fill() {
        dir.batch(d -> {
            d.putInstance("web", World.FRA, true);
            d.putInstance("web", World.NYC, true);
            d.putInstance("web", World.TYO, true);
            d.putInstance("web", World.SYD, true);
        });
    }

    private Choice choose(String client) {
        Cidr c = Cidr.parse(client);
        Optional<GeoLocation> loc = c.prefixLength() == 0 ? Optional.empty() : geo.locate(c.networkAddress());
        return choice.choose(dir.service("web").orElseThrow(), c, loc, clock.millis());
    }

    private static String first(Choice c) {
        return c.instances().get(0).nodeId();
    }

    @Test
    void nearestByGeoIpWithTheGeoIpPrefixAsScope() {
        Choice c = choose("203.0.113.0/24");
        assertEquals("tyo1", first(c));
        assertEquals(Basis.NEAREST, c.basis());
        assertEquals(24, c.scope());
        Choice wide = choose("10.1.2.0/24");
        assertEquals("fra1", first(wide));
        assertEquals(16, wide.scope(), "the answer holds for the whole GeoIP network");
    }

    @Test
    void unlocatedClientGetsNearestToDefaultPositionWithItsOwnPrefixAsScope() {
        Choice c = choose("172.16.5.0/24");
        assertEquals("nyc1", first(c));
        assertEquals(Basis.DEFAULT_POSITION, c.basis());
        assertEquals(24, c.scope());
    }

    @Test
    void ecsSlashZeroIsUnlocatedWithScopeZero() {
        Choice c = choose("0.0.0.0/0");
        assertEquals("nyc1", first(c));
        assertEquals(Basis.DEFAULT_POSITION, c.basis());
        assertEquals(0, c.scope());
    }

    @Test
    void migrationWinsWhileLiveThenNearestAgain() {
        long expires = clock.millis() + 30_000;
        dir.putMigration("web", Cidr.parse("203.0.113.0/24"), "syd1", expires);
        Choice c = choose("203.0.113.0/24");
        assertEquals("syd1", first(c));
        assertEquals(Basis.MIGRATION, c.basis());
        assertEquals(expires, c.expiresAtMillis());
        assertEquals(24, c.scope());
        assertEquals("syd1", first(choose("203.0.113.77")), "an exact address inside the subnet");
        clock.advance(Duration.ofSeconds(30));
        Choice after = choose("203.0.113.0/24");
        assertEquals("tyo1", first(after));
        assertEquals(Basis.NEAREST, after.basis());
    }

    @Test
    void mostSpecificMigrationWins() {
        long exp = clock.millis() + 60_000;
        dir.putMigration("web", Cidr.parse("203.0.0.0/16"), "fra1", exp);
        dir.putMigration("web", Cidr.parse("203.0.113.0/24"), "syd1", exp);
        dir.putMigration("web", Cidr.parse("203.0.113.9"), "nyc1", exp);
        assertEquals("nyc1", first(choose("203.0.113.9")));
        assertEquals("syd1", first(choose("203.0.113.10")));
        assertEquals("syd1", first(choose("203.0.113.0/24")));
        assertEquals("fra1", first(choose("203.0.114.0/24")));
        assertEquals("fra1", first(choose("203.0.0.0/16")));
    }

    @Test
    void migrationToADownTargetIsIgnored() {
        dir.putMigration("web", Cidr.parse("203.0.113.0/24"), "syd1", clock.millis() + 60_000);
        dir.setLive("web", "syd1", false);
        assertEquals("tyo1", first(choose("203.0.113.0/24")));
        dir.setLive("web", "syd1", true);
        assertEquals("syd1", first(choose("203.0.113.0/24")));
    }

    @Test
    void scopeOutsideAMigrationSubnetExcludesIt() {
        dir.putMigration("web", Cidr.parse("10.1.5.0/24"), "tyo1", clock.millis() + 60_000);
        // 10.1.2.0 and 10.1.5.0 share 21 bits: the widest network around 10.1.2.0 without 10.1.5.0/24 is /22
        Choice c = choose("10.1.2.0/24");
        assertEquals("fra1", first(c));
        assertEquals(22, c.scope());
        Cidr scoped = Cidr.of(Cidr.parse("10.1.2.0").networkAddress(), c.scope());
        assertTrue(!scoped.contains(Cidr.parse("10.1.5.0/24")) && scoped.contains(Cidr.parse("10.1.2.0/24")));
        // once the record expired the whole GeoIP network answers the same again
        clock.advance(Duration.ofMinutes(2));
        assertEquals(16, choose("10.1.2.0/24").scope());
    }

    @Test
    void scopeInsideAMigrationSubnetIsAtLeastItsPrefixAndExcludesMoreSpecificRecords() {
        long exp = clock.millis() + 60_000;
        dir.putMigration("web", Cidr.parse("10.1.0.0/20"), "tyo1", exp);
        Choice c = choose("10.1.2.0/24");
        assertEquals("tyo1", first(c));
        assertEquals(20, c.scope());
        dir.putMigration("web", Cidr.parse("10.1.3.0/24"), "syd1", exp);
        Choice narrowed = choose("10.1.2.0/24");
        assertEquals("tyo1", first(narrowed));
        assertEquals(24, narrowed.scope(), "10.1.2.0/23 would include 10.1.3.0/24");
        assertEquals("syd1", first(choose("10.1.3.0/24")));
    }

    @Test
    void recordMoreSpecificThanTheClientSubnetMakesTheScopeLongerThanTheSource() {
        dir.putMigration("web", Cidr.parse("10.1.2.128/25"), "tyo1", clock.millis() + 60_000);
        Choice c = choose("10.1.2.0/24");
        assertEquals("fra1", first(c), "the record covers only half of the client's subnet");
        assertEquals(25, c.scope(), "scope > source tells the resolver to ask with a longer prefix");
    }

    @Test
    void ipv6ClientsAndRecords() {
        dir.putMigration("web", Cidr.parse("2001:db8:1:2::/64"), "tyo1", clock.millis() + 60_000);
        assertEquals("tyo1", first(choose("2001:db8:1:2::/64")));
        Choice other = choose("2001:db8:1:3::/64");
        assertEquals("fra1", first(other));
        assertEquals(64, other.scope(), "2001:db8:1:2::/64 and :3::/64 differ only in bit 63");
    }

    @Test
    void noneLiveGivesNothingOrTheLastKnown() {
        dir.batch(d -> List.of("fra1", "nyc1", "tyo1", "syd1").forEach(id -> d.setLive("web", id, false)));
        assertEquals(Basis.NONE, choose("203.0.113.0/24").basis());
        assertTrue(choose("203.0.113.0/24").isEmpty());
        choice = new AnswerChoice(new ChoicePolicy(2, World.NEW_YORK, true));
        Choice c = choose("203.0.113.0/24");
        assertEquals(Basis.LAST_KNOWN, c.basis());
        assertEquals(List.of("tyo1", "syd1"), c.instances().stream().map(Instance::nodeId).toList());
    }

    @Test
    void kNearest() {
        choice = new AnswerChoice(new ChoicePolicy(3, World.NEW_YORK, false));
        assertEquals(List.of("fra1", "nyc1", "tyo1"),
                choose("198.51.100.0/24").instances().stream().map(Instance::nodeId).toList());
    }
}
