package dev.tendril.geoip.adapter.out.mmdb;

import com.maxmind.db.Reader;
import dev.tendril.geoip.domain.GeoEntry;
import dev.tendril.geoip.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tendril's reader answers like MaxMind's com.maxmind.db.Reader: same networks, same records. */
class MmdbReaderTest {
    private static final List<GeoEntry> WORLD = Fixtures.entries(Fixtures.WORLD_CSV);

    @ParameterizedTest(name = "{0}-bit records")
    @ValueSource(ints = {24, 28, 32})
    void findsTheSameNetworkAndRecordAsMaxMindsReader(int recordSize) throws Exception {
        byte[] db = new MmdbWriter(MmdbFormat.GEOIP2_CITY, 0, "x").withRecordSize(recordSize).toBytes(WORLD);
        compareWithMaxMind(db, new Random(recordSize), 4000);
    }

    @Test
    void flatIpv4FileAgreesToo() throws Exception {
        byte[] db = new MmdbWriter(MmdbFormat.FLAT_CITY_IPV4, 0, "x").toBytes(WORLD);
        assertEquals(4, MmdbReader.of(db).metadata().ipVersion());
        compareWithMaxMind(db, new Random(4), 4000);
    }

    private static void compareWithMaxMind(byte[] db, Random random, int count) throws Exception {
        MmdbReader ours = MmdbReader.of(db);
        try (Reader theirs = new Reader(new ByteArrayInputStream(db))) {
            boolean v4Only = theirs.getMetadata().ipVersion() == 4;
            for (int i = 0; i < count; i++) {
                GeoEntry e = WORLD.get(random.nextInt(WORLD.size()));
                if (v4Only && e.network().isIpv6()) {
                    continue;
                }
                byte[] a = e.network().networkBytes();
                for (int bit = Math.max(0, e.network().prefixLength() - 3); bit < a.length * 8; bit++) {
                    if (random.nextBoolean()) {
                        a[bit >> 3] ^= (byte) (0x80 >>> (bit & 7));
                    }
                }
                InetAddress address = InetAddress.getByAddress(a);
                var expected = theirs.getRecord(address, Map.class);
                long found = ours.find(a);
                int prefix = expected.network().prefixLength();
                if (address instanceof Inet4Address && prefix > 32) {
                    prefix -= 96;
                }
                assertEquals(prefix, MmdbReader.prefixOf(found), address + " prefix");
                int offset = MmdbReader.offsetOf(found);
                assertEquals(expected.data() == null, offset == MmdbReader.NO_DATA, address + " presence");
                if (offset != MmdbReader.NO_DATA) {
                    assertEquals(expected.data(), ours.decoder().value(offset), address + " record");
                }
            }
        }
    }

    @Test
    void readsMetadata() {
        MmdbMetadata m = MmdbReader.of(new MmdbWriter(MmdbFormat.GEOIP2_CITY, 1767225600L, "hello").toBytes(WORLD)).metadata();
        assertEquals("GeoIP2-City", m.databaseType());
        assertEquals(6, m.ipVersion());
        assertEquals(24, m.recordSize());
        assertEquals(1767225600L, m.buildEpoch());
        assertEquals(List.of("en"), m.languages());
        assertEquals(Map.of("en", "hello"), m.description());
        assertTrue(m.nodeCount() > 100);
    }

    @Test
    void ipv6AddressInAnIpv4DatabaseHasNoData() throws Exception {
        MmdbReader v4 = MmdbReader.of(new MmdbWriter(MmdbFormat.FLAT_CITY_IPV4, 0, "x").toBytes(WORLD));
        long found = v4.find(InetAddress.getByName("2001:db8::1").getAddress());
        assertEquals(MmdbReader.NO_DATA, MmdbReader.offsetOf(found));
        assertEquals(0, MmdbReader.prefixOf(found));
    }

    @Test
    void rejectsFilesThatAreNotMaxMindDatabases() {
        byte[] good = new MmdbWriter(MmdbFormat.GEOIP2_CITY, 0, "x").toBytes(WORLD);
        assertThrows(MmdbFormatException.class, () -> MmdbReader.of(new byte[1000]));
        assertThrows(MmdbFormatException.class, () -> MmdbReader.of("hello".getBytes()));
        // the tree cut short: node_count no longer fits before the metadata
        byte[] marker = Arrays.copyOfRange(good, good.length - 200, good.length);
        assertThrows(MmdbFormatException.class, () -> MmdbReader.of(marker));
    }

    @Test
    void corruptTreeOrDataFailsWithAFormatError() throws Exception {
        byte[] db = new MmdbWriter(MmdbFormat.GEOIP2_CITY, 0, "x").toBytes(WORLD);
        MmdbReader reader = MmdbReader.of(db);
        long nodes = reader.metadata().nodeCount();
        // point the root's left record far beyond the data section
        byte[] bad = db.clone();
        bad[0] = (byte) 0xff;
        bad[1] = (byte) 0xff;
        bad[2] = (byte) 0xfe;
        MmdbReader broken = MmdbReader.of(bad);
        long found = broken.find(InetAddress.getByName("::1").getAddress());
        assertThrows(MmdbFormatException.class, () -> broken.decoder().value(MmdbReader.offsetOf(found)));
        assertTrue(nodes > 0);
    }
}
