package dev.tendril.protocol.codec;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Membership;
import dev.tendril.protocol.message.RootMessage.MembershipQuery;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * MembershipQuery and Membership (the samples of SampleEnvelopes cover the full forms): the
 * forms without a position and without likely parents round-trip too, and the records refuse
 * what would make the answer grow (more than MAX_NEAREST likely parents) or contradict itself.
 */
class MembershipCodecTest {
    private final FrameCodec codec = FrameCodec.standard();

    @Test
    void theSparseFormsRoundTrip() {
        List<RootMessage> bodies = List.of(
                new MembershipQuery("web", "munich-1", Optional.empty(), 0),
                new MembershipQuery("web", "munich-1", Optional.of(new GeoPoint(-33.8688, 151.2093)),
                        MembershipQuery.MAX_NEAREST),
                new Membership("web", "evil-1", false, false, List.of()),
                new Membership("web", "munich-1", true, true, Collections.nCopies(MembershipQuery.MAX_NEAREST, "fiji-3")));
        for (RootMessage body : bodies) {
            Envelope e = new Envelope(new MessageId(1, 2), "web", "garching-1", 1_700_000_000_000L, body);
            assertEquals(new DecodeResult.Decoded(e), codec.decode(codec.encode(e)), body.toString());
        }
    }

    @Test
    void theAnswerStaysBounded() {
        assertThrows(IllegalArgumentException.class,
                () -> new MembershipQuery("web", "munich-1", Optional.empty(), MembershipQuery.MAX_NEAREST + 1));
        assertThrows(IllegalArgumentException.class, () -> new MembershipQuery("web", "munich-1", Optional.empty(), -1));
        assertThrows(IllegalArgumentException.class, () -> new Membership("web", "munich-1", true, true,
                Collections.nCopies(MembershipQuery.MAX_NEAREST + 1, "fiji-3")));
        assertThrows(IllegalArgumentException.class, () -> new Membership("web", "evil-1", false, true, List.of()),
                "not a member but live");
    }
}
