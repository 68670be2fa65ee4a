package dev.tendril.protocol.message;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminAuthTest {
    static final String KEY = "0123456789abcdef-key";
    final MessageId id = new MessageId(1, 2);
    final long now = 1_700_000_000_000L;

    private Envelope remove(String key, String service, long sentAt) {
        String auth = AdminAuth.sign(key, id, sentAt, MessageType.ADMIN_REMOVE, service);
        return new Envelope(id, "", "tendrilctl", sentAt, new AdminMessage.Remove(auth, service));
    }

    @Test
    void aSignedRequestVerifies() {
        assertTrue(AdminAuth.verify(KEY, remove(KEY, "web", now), now + 1000));
    }

    @Test
    void wrongKeyTamperedPayloadOrOldRequestIsRefused() {
        assertFalse(AdminAuth.verify(KEY, remove("another-key-0000000", "web", now), now));
        Envelope good = remove(KEY, "web", now);
        String auth = ((AdminMessage.Remove) good.body()).auth();
        Envelope tampered = new Envelope(id, "", "x", now, new AdminMessage.Remove(auth, "api"));
        assertFalse(AdminAuth.verify(KEY, tampered, now));
        Envelope otherTime = new Envelope(id, "", "x", now + 1, good.body());
        assertFalse(AdminAuth.verify(KEY, otherTime, now));
        assertFalse(AdminAuth.verify(KEY, remove(KEY, "web", now), now + AdminAuth.MAX_SKEW_MILLIS + 1));
        assertFalse(AdminAuth.verify(KEY, new Envelope(id, "", "x", now, new RootMessage.Ack()), now));
    }

    @Test
    void aRetryNamesItsFirstRequestUnderTheMac() {
        MessageId first = new MessageId(7, 8);
        String auth = AdminAuth.signRetry(KEY, id, now, MessageType.ADMIN_REMOVE, "web", first);
        Envelope retry = new Envelope(id, "", "tendrilctl", now, new AdminMessage.Remove(auth, "web"));
        assertTrue(AdminAuth.verify(KEY, retry, now));
        assertEquals(java.util.Optional.of(first), AdminAuth.retryOf(auth));
        assertEquals(java.util.Optional.empty(), AdminAuth.retryOf(((AdminMessage.Remove) remove(KEY, "web", now).body()).auth()));

        // another first id, the retry's MAC alone, or another payload: none verifies
        String otherFirst = auth.replace(first.toString(), new MessageId(7, 9).toString());
        assertFalse(AdminAuth.verify(KEY, new Envelope(id, "", "x", now, new AdminMessage.Remove(otherFirst, "web")), now));
        String macOnly = auth.substring(auth.indexOf(';') + 1);
        assertFalse(AdminAuth.verify(KEY, new Envelope(id, "", "x", now, new AdminMessage.Remove(macOnly, "web")), now));
        assertFalse(AdminAuth.verify(KEY, new Envelope(id, "", "x", now, new AdminMessage.Remove(auth, "api")), now));
        assertFalse(AdminAuth.verify("another-key-0000000", retry, now));
        assertEquals(java.util.Optional.empty(), AdminAuth.retryOf("retry-of=zz;abc"), "a malformed id is no retry");
    }

    @Test
    void messageIdsReadBackWhatTheyPrint() {
        MessageId any = new MessageId(-1L, 0x0123456789abcdefL);
        assertEquals(any, MessageId.parse(any.toString()));
        assertThrows(IllegalArgumentException.class, () -> MessageId.parse("12"));
        assertThrows(IllegalArgumentException.class, () -> MessageId.parse("g".repeat(32)));
    }
}
