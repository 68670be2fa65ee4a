package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateSoon;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** ReplicateSoon's spec is an appended field: hints of older nodes decode with "", older nodes skip it. */
class ReplicateSoonCodecTest {
    private static final String SPEC = "service: web\nimage: demo:1\nzone: svc.example.edge\n";

    private final FrameCodec codec = FrameCodec.standard();

    /** The codec as it was before the spec. */
    private final FrameCodec older = new FrameCodec(List.of(
            MessageCodec.of(MessageType.REPLICATE_SOON, ReplicateSoon.class,
                    (w, m) -> w.struct(2).string(m.service()).string(m.requesterId()),
                    r -> r.struct(f -> new ReplicateSoon(f.string(), f.string())))));

    @Test
    void theSpecRoundTrips() {
        for (ReplicateSoon soon : List.of(new ReplicateSoon("web", "munich-1", SPEC), new ReplicateSoon("web", "munich-1"))) {
            Envelope e = envelope(soon);
            assertEquals(new DecodeResult.Decoded(e), codec.decode(codec.encode(e)), soon.toString());
        }
    }

    @Test
    void olderAndNewerNodesUnderstandEachOther() {
        // an older origin hints without the spec: a newer candidate reads "" (and checks the spec at the Replicate)
        assertEquals(envelope(new ReplicateSoon("web", "munich-1", "")),
                decoded(codec, older.encode(envelope(new ReplicateSoon("web", "munich-1")))));
        // an older candidate skips the appended spec
        assertEquals(envelope(new ReplicateSoon("web", "munich-1")),
                decoded(older, codec.encode(envelope(new ReplicateSoon("web", "munich-1", SPEC)))));
    }

    private static Envelope envelope(SelfOrgMessage body) {
        return new Envelope(new MessageId(7, 8), "", "munich-1", 1_700_000_000_000L, body);
    }

    private static Envelope decoded(FrameCodec codec, byte[] frame) {
        return assertInstanceOf(DecodeResult.Decoded.class, codec.decode(frame)).envelope();
    }

    @Test
    void aRehearsalFailsWhenTheCodecLosesAField() {
        codec.rehearse(new ReplicateSoon("web", "munich-1", SPEC)); // the standard codec keeps it
        // the older codec drops the spec: what comes back differs from what went in
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> older.rehearse(new ReplicateSoon("web", "munich-1", SPEC)));
    }
}
