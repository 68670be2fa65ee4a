package dev.tendril.geoip.adapter.out.mmdb;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-place decoder against hand-built data sections, pointers of every size included. */
class MmdbDecoderTest {
    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MmdbDecoder decoder(byte[] data) {
        return new MmdbDecoder(ByteBuffer.wrap(data), 0, data.length);
    }

    @ParameterizedTest(name = "pointer target at {0}")
    @ValueSource(ints = {3, 2047, 2048, 2048 + (1 << 19) - 1, 2048 + (1 << 19), 526336 + 5})
    void followsPointersOfEverySize(int targetOffset) {
        // [padding ... ] at targetOffset: the string "Tokyo"; at 0: a map whose key and value are pointers
        MmdbDataEncoder e = new MmdbDataEncoder();
        e.map(2).pointer(targetOffset + 6).pointer(targetOffset);          // {"city": -> "Tokyo"}
        e.string("latitude").doubleValue(35.6762);
        int used = e.size();
        e.raw(new byte[targetOffset - used < 0 ? 0 : targetOffset - used]);
        if (targetOffset < used) {
            // small target: put the values right after the map instead
            e = new MmdbDataEncoder();
            e.map(2).pointer(targetOffset + 6 + 32).pointer(targetOffset + 32);
            e.string("latitude").doubleValue(35.6762);
            e.raw(new byte[32 + targetOffset - e.size()]);
            targetOffset += 32;
        }
        assertEquals(targetOffset, e.size());
        e.string("Tokyo").string("city");
        MmdbDecoder d = decoder(e.toByteArray());
        assertEquals("Tokyo", d.string(d.find(0, key("city"))));
        assertEquals(35.6762, d.number(d.find(0, key("latitude"))));
        assertEquals(-1, d.find(0, key("country")));
    }

    @Test
    void findsNestedKeysAndSkipsEveryType() {
        MmdbDataEncoder e = new MmdbDataEncoder().map(7);
        e.string("array").array(3).uint16(1).string("x").map(1).string("k").bool(true);
        e.string("flag").bool(false);
        e.string("big").uint64(1L << 40);
        e.string("f").floatValue(1.5f);
        e.string("u32").uint32(70000);
        e.string("long").string("x".repeat(70000)); // 3-byte size form
        e.string("city").map(1).string("names").map(2).string("de").string("München").string("en").string("Munich");
        MmdbDecoder d = decoder(e.toByteArray());
        assertEquals("Munich", d.string(d.find(0, key("city"), key("names"), key("en"))));
        assertEquals("München", d.string(d.find(0, key("city"), key("names"), key("de"))));
        assertEquals(1.5, d.number(d.find(0, key("f"))));
        assertEquals(70000.0, d.number(d.find(0, key("u32"))));
        assertEquals((double) (1L << 40), d.number(d.find(0, key("big"))));
        assertEquals(70000, d.string(d.find(0, key("long"))).length());
        assertEquals(-1, d.find(0, key("city"), key("names"), key("fr")));
        assertEquals("", d.string(-1));
        assertTrue(Double.isNaN(d.number(-1)));
        assertTrue(Double.isNaN(d.number(d.find(0, key("array")))), "an array is not a number");
        assertEquals(-1, d.find(d.find(0, key("flag")), key("x")), "a boolean is not a map");
    }

    @Test
    void metadataStyleValuesDecodeToJavaObjects() {
        byte[] data = new MmdbDataEncoder().map(3).string("languages").array(2).string("en").string("de")
                .string("node_count").uint32(12).string("description").map(1).string("en").string("x").toByteArray();
        Object v = decoder(data).value(0);
        assertEquals(Map.of("languages", List.of("en", "de"), "node_count", 12L, "description", Map.of("en", "x")), v);
    }

    @Test
    void truncatedOrHostileDataFailsWithAFormatErrorNotAHang() {
        byte[] ok = new MmdbDataEncoder().map(1).string("city").string("Tokyo").toByteArray();
        for (int cut = 1; cut < ok.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(ok, cut);
            MmdbDecoder d = decoder(part);
            assertThrows(MmdbFormatException.class, () -> d.string(d.find(0, key("city"))), "cut at " + cut);
        }
        byte[] outside = new MmdbDataEncoder().map(1).string("city").pointer(5000).toByteArray();
        MmdbDecoder d = decoder(outside);
        assertThrows(MmdbFormatException.class, () -> d.string(d.find(0, key("city"))));
        byte[] deep = new byte[200];
        java.util.Arrays.fill(deep, (byte) 0xE1); // map of one pair, nested forever
        assertThrows(MmdbFormatException.class, () -> decoder(deep).skip(0));
    }
}
