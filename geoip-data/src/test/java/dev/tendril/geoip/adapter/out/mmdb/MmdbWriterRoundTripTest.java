package dev.tendril.geoip.adapter.out.mmdb;

import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.CityResponse;
import dev.tendril.geoip.domain.GeoEntry;
import dev.tendril.geoip.testing.Fixtures;
import dev.tendril.geoip.testing.ReferenceResolver;
import dev.tendril.protocol.net.Cidr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writes world.csv and reads every row back through MaxMind's own DatabaseReader. */
class MmdbWriterRoundTripTest {
    private static List<GeoEntry> entries;
    private static ReferenceResolver model;
    private static byte[] bytes;

    @BeforeAll
    static void compile() {
        entries = Fixtures.entries(Fixtures.WORLD_CSV);
        model = new ReferenceResolver(entries);
        bytes = new MmdbWriter(MmdbFormat.GEOIP2_CITY, 1767225600L, "round trip").toBytes(entries);
    }

    private static DatabaseReader reader(byte[] db) throws Exception {
        return new DatabaseReader.Builder(new ByteArrayInputStream(db)).build();
    }

    @Test
    void metadataIsGeoIp2CityOverIpv6() throws Exception {
        try (DatabaseReader r = reader(bytes)) {
            var m = r.getMetadata();
            assertEquals("GeoIP2-City", m.databaseType());
            assertEquals(6, m.ipVersion());
            assertEquals(2, m.binaryFormatMajorVersion());
            assertEquals(24, m.recordSize());
            assertEquals(List.of("en"), m.languages());
            assertEquals(Map.of("en", "round trip"), m.description());
            assertEquals(Instant.ofEpochSecond(1767225600L), m.buildTime());
        }
    }

    @Test
    void everyRowReadsBackAtItsFirstMiddleAndLastAddress() throws Exception {
        try (DatabaseReader r = reader(bytes)) {
            int checked = 0;
            for (GeoEntry e : entries) {
                for (InetAddress probe : probesIn(e.network())) {
                    checkAgainstModel(r, probe);
                    checked++;
                }
            }
            assertEquals(entries.size() * 3, checked);
        }
    }

    @Test
    void randomAddressesAroundEveryRowMatchTheModel() throws Exception {
        Random random = new Random(42);
        try (DatabaseReader r = reader(bytes)) {
            for (int i = 0; i < 3000; i++) {
                GeoEntry e = entries.get(random.nextInt(entries.size()));
                byte[] a = e.network().networkBytes();
                // keep a random number of leading bits of the network, randomize the rest
                int keep = Math.max(0, e.network().prefixLength() - random.nextInt(4));
                for (int bit = keep; bit < a.length * 8; bit++) {
                    if (random.nextBoolean()) {
                        a[bit >> 3] ^= (byte) (0x80 >>> (bit & 7));
                    }
                }
                checkAgainstModel(r, ReferenceResolver.address(a));
            }
        }
    }

    @Test
    void mostSpecificNetworkWinsAndTheReportedNetworkIsTheWidestUniformOne() throws Exception {
        try (DatabaseReader r = reader(bytes)) {
            assertCity(r, "10.1.2.3", "Tokyo", 32);    // the /32 inside the /24
            assertCity(r, "10.1.2.4", "Potsdam", 30);  // 10.1.2.4/30 is all Potsdam
            assertCity(r, "10.1.2.255", "Potsdam", 25); // 10.1.2.128/25: the /32 at .3 splits the /24
            assertCity(r, "10.1.3.1", "Garching", 24);  // sibling of the /24 holding Potsdam
            assertCity(r, "10.1.4.1", "Garching", 22);
            assertCity(r, "10.200.0.1", "Munich", 9);  // 10.128.0.0/9 holds no more specific network
            assertCity(r, "8.8.8.8", "Mountain View", 24);
            assertCity(r, "127.0.0.1", "Sydney", 8);
            assertCity(r, "100.127.255.255", "Tokyo", 10);
            assertCity(r, "2001:db8:1:2::1", "Nairobi", 64);
            assertCity(r, "2001:db8:1:3::1", "São Paulo", 64);
            assertCity(r, "fd12:3456::1", "Tokyo", 32);
            assertCity(r, "fc00::1", "Munich", 8);
        }
    }

    @Test
    void adjacentNetworksWithTheSameRowAreReportedAsOneWiderNetwork() throws Exception {
        var munich = new dev.tendril.protocol.geo.GeoPoint(48.1374, 11.5755);
        List<GeoEntry> halves = List.of(
                new GeoEntry(Cidr.parse("10.0.0.0/25"), munich, "Munich", "DE"),
                new GeoEntry(Cidr.parse("10.0.0.128/25"), munich, "Munich", "DE"),
                new GeoEntry(Cidr.parse("10.0.1.0/24"), munich, "Munich", ""));
        try (DatabaseReader r = reader(new MmdbWriter(MmdbFormat.GEOIP2_CITY, 0, "merge").toBytes(halves))) {
            assertEquals(24, r.city(InetAddress.getByName("10.0.0.200")).traits().network().prefixLength());
            // the third row differs (no country), so it is not merged with the first two
            assertEquals(24, r.city(InetAddress.getByName("10.0.1.1")).traits().network().prefixLength());
        }
    }

    @Test
    void addressesOutsideEveryRowAreNotFound() throws Exception {
        try (DatabaseReader r = reader(bytes)) {
            for (String a : List.of("9.9.9.9", "11.0.0.1", "192.0.3.1", "224.0.0.1", "2a00::1", "fe00::1", "::1")) {
                assertEquals(Optional.empty(), r.tryCity(InetAddress.getByName(a)), a);
            }
        }
    }

    @Test
    void ipv4MappedIpv6AddressesReachTheIpv4Networks() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(InetAddress.getByName("10.1.2.3").getAddress(), 0, mapped, 12, 4);
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1); // keeps the IPv6 form
        assertTrue(v6 instanceof Inet6Address);
        try (Reader r = new Reader(new ByteArrayInputStream(bytes))) {
            var rec = r.getRecord(v6, Map.class);
            assertEquals("Tokyo", ((Map<?, ?>) ((Map<?, ?>) rec.data().get("city")).get("names")).get("en"));
            assertEquals(128, rec.network().prefixLength());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 28, 32})
    void everyRecordSizeReadsBack(int recordSize) throws Exception {
        byte[] db = new MmdbWriter(MmdbFormat.GEOIP2_CITY, 0, "sizes").withRecordSize(recordSize).toBytes(entries);
        try (DatabaseReader r = reader(db)) {
            assertEquals(recordSize, r.getMetadata().recordSize());
            for (GeoEntry e : entries) {
                checkAgainstModel(r, e.network().networkAddress());
            }
        }
    }

    @Test
    void sameNetworkTwiceIsRefused() {
        List<GeoEntry> twice = new ArrayList<>(entries);
        twice.add(entries.get(0));
        var writer = new MmdbWriter(MmdbFormat.GEOIP2_CITY, 0, "dup");
        var e = assertThrows(IllegalArgumentException.class, () -> writer.toBytes(twice));
        assertTrue(e.getMessage().contains(entries.get(0).network().toString()), e.getMessage());
    }

    @Test
    void outputIsAFunctionOfTheInput() {
        List<GeoEntry> shuffled = new ArrayList<>(entries);
        java.util.Collections.shuffle(shuffled, new Random(7));
        byte[] again = new MmdbWriter(MmdbFormat.GEOIP2_CITY, 1767225600L, "round trip").toBytes(shuffled);
        assertTrue(java.util.Arrays.equals(bytes, again), "row order must not change the bytes");
    }

    private static List<InetAddress> probesIn(Cidr network) {
        InetAddress first = network.networkAddress();
        InetAddress last = ReferenceResolver.last(network);
        InetAddress middle = network.prefixLength() == network.networkBytes().length * 8
                ? first : ReferenceResolver.halves(network)[1].networkAddress();
        return List.of(first, middle, last);
    }

    private static void checkAgainstModel(DatabaseReader r, InetAddress probe) throws Exception {
        Optional<GeoEntry> best = model.best(probe);
        Optional<CityResponse> got = r.tryCity(probe);
        String what = probe.getHostAddress();
        if (best.isEmpty()) {
            assertFalse(got.isPresent(), what + " must not be found");
            return;
        }
        assertTrue(got.isPresent(), what + " must be found in " + best.get().network());
        CityResponse c = got.get();
        GeoEntry e = best.get();
        assertEquals(e.point().latitude(), c.location().latitude(), what);
        assertEquals(e.point().longitude(), c.location().longitude(), what);
        if (e.city().isEmpty()) {
            assertNull(c.city().name(), what);
        } else {
            assertEquals(e.city(), c.city().names().get("en"), what);
        }
        assertEquals(e.country().isEmpty() ? null : e.country(), c.country().isoCode(), what);
        int expected = model.expectedPrefix(probe, probe instanceof Inet4Address ? 0 : 1);
        assertEquals(expected, c.traits().network().prefixLength(), what + " network");
        assertEquals(Cidr.of(probe, expected).networkAddress(), c.traits().network().networkAddress(), what + " network address");
    }

    private static void assertCity(DatabaseReader r, String address, String city, int prefix) throws Exception {
        CityResponse c = r.city(InetAddress.getByName(address));
        assertEquals(city, c.city().names().get("en"), address);
        assertEquals(prefix, c.traits().network().prefixLength(), address + " prefix");
        checkAgainstModel(r, InetAddress.getByName(address));
    }
}
