package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.MessageId;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ReplyCacheTest {
    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2024-05-01T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();

    @Test
    void remembersRepliesUntilTheirTimeIsUp() {
        ReplyCache cache = new ReplyCache(10, 1_000, 1_000, clock);
        cache.put(new MessageId(1, 1), new byte[] {1});
        clock.advance(Duration.ofMillis(999));
        assertArrayEquals(new byte[] {1}, cache.get(new MessageId(1, 1)));
        clock.advance(Duration.ofMillis(1));
        assertNull(cache.get(new MessageId(1, 1)));
        assertEquals(0, cache.size());
    }

    @Test
    void dropsTheOldestBeyondCapacity() {
        ReplyCache cache = new ReplyCache(2, 1_000, 60_000, clock);
        cache.put(new MessageId(0, 1), new byte[] {1});
        cache.put(new MessageId(0, 2), new byte[] {2});
        cache.put(new MessageId(0, 3), new byte[] {3});
        assertNull(cache.get(new MessageId(0, 1)));
        assertArrayEquals(new byte[] {2}, cache.get(new MessageId(0, 2)));
        assertArrayEquals(new byte[] {3}, cache.get(new MessageId(0, 3)));
        assertEquals(2, cache.size());
    }

    @Test
    void keepsWithinItsByteBudget() {
        ReplyCache cache = new ReplyCache(100, 10, 60_000, clock);
        cache.put(new MessageId(0, 1), new byte[4]);
        cache.put(new MessageId(0, 2), new byte[4]);
        cache.put(new MessageId(0, 3), new byte[4]);
        assertNull(cache.get(new MessageId(0, 1)));
        assertEquals(8, cache.bytes());
        cache.put(new MessageId(0, 4), new byte[11]); // larger than the whole budget: not kept
        assertNull(cache.get(new MessageId(0, 4)));
        assertEquals(2, cache.size());
        clock.advance(Duration.ofMinutes(1));
        assertNull(cache.get(new MessageId(0, 2)));
        assertEquals(0, cache.bytes());
    }
}
