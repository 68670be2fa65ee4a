package dev.tendril.protocol.message;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
