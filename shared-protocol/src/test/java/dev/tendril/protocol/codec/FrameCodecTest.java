package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {
    private final FrameCodec codec = FrameCodec.standard();

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyTypeRoundTrips(MessageType type) {
        Envelope sample = SampleEnvelopes.envelope(type);
        byte[] frame = codec.encode(sample);
        assertEquals(Envelope.VERSION, frame[0]);
        assertEquals(type.id(), frame[1] & 0xff);
        assertEquals(new DecodeResult.Decoded(sample), codec.decode(frame));
    }

    @Test
    void framesLongerThanTheWritersFirstChunkRoundTrip() {
        // BodyWriter starts a body in a 1 KB chunk: one long string, and many short values, cross it
        List<String> nodes = IntStream.range(0, 600).mapToObj(i -> "edge-node-" + i).toList();
        Envelope many = new Envelope(new MessageId(1, 2), "web", "root-1", 3, new RootMessage.HostedSet("web", nodes));
        Envelope longText = new Envelope(new MessageId(4, 5), "web", "root-1", 6,
                new RootMessage.ErrorReply("E", "x".repeat(1023) + "\u00e9".repeat(3000)));
        for (Envelope e : List.of(many, longText)) {
            byte[] frame = codec.encode(e);
            assertTrue(frame.length > 4096, "frame of " + frame.length + " bytes");
            assertEquals(new DecodeResult.Decoded(e), codec.decode(frame));
        }
    }

    @Test
    void everyTypeHasACodec() {
        for (MessageType t : MessageType.values()) {
            assertTrue(codec.knows(t), "no codec for " + t);
        }
    }

    @Test
    void unknownVersionIsItsOwnOutcome() {
        byte[] frame = codec.encode(SampleEnvelopes.envelope(MessageType.ACK));
        frame[0] = (byte) (Envelope.VERSION + 1);
        assertEquals(DecodeResult.Reason.UNKNOWN_VERSION, failure(frame).reason());
        frame[0] = 0;
        assertEquals(DecodeResult.Reason.UNKNOWN_VERSION, failure(frame).reason());
    }

    @Test
    void unknownTypeIsItsOwnOutcome() {
        byte[] frame = codec.encode(SampleEnvelopes.envelope(MessageType.ACK));
        frame[1] = (byte) 250;
        assertEquals(DecodeResult.Reason.UNKNOWN_TYPE, failure(frame).reason());
    }

    @Test
    void aTypeWithoutRegisteredCodecIsUnknown() {
        FrameCodec onlyAck = new FrameCodec(RootCodecs.all().stream().filter(c -> c.type() == MessageType.ACK).toList());
        byte[] frame = codec.encode(SampleEnvelopes.envelope(MessageType.SIGN_OFF));
        assertEquals(DecodeResult.Reason.UNKNOWN_TYPE, ((DecodeResult.Failure) onlyAck.decode(frame)).reason());
        assertThrows(IllegalArgumentException.class, () -> onlyAck.encode(SampleEnvelopes.envelope(MessageType.SIGN_OFF)));
    }

    @Test
    void shortAndEmptyFramesAreMalformed() {
        assertEquals(DecodeResult.Reason.MALFORMED, failure(new byte[0]).reason());
        assertEquals(DecodeResult.Reason.MALFORMED, failure(new byte[] {1}).reason());
        assertEquals(DecodeResult.Reason.MALFORMED, failure(new byte[] {1, 1}).reason());
        assertEquals(DecodeResult.Reason.MALFORMED, codec.decode(null) instanceof DecodeResult.Failure f ? f.reason() : null);
    }

    @Test
    void everyTruncationIsMalformed() {
        byte[] frame = codec.encode(SampleEnvelopes.envelope(MessageType.TREE_LISTING));
        for (int len = 0; len < frame.length; len++) {
            assertEquals(DecodeResult.Reason.MALFORMED, failure(Arrays.copyOf(frame, len)).reason(), "length " + len);
        }
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] frame = codec.encode(SampleEnvelopes.envelope(MessageType.ACK));
        byte[] longer = Arrays.copyOf(frame, frame.length + 1);
        assertEquals(DecodeResult.Reason.MALFORMED, failure(longer).reason());
    }

    @Test
    void aFieldTheRecordRefusesIsInvalidField() {
        // the same bytes as a valid SignOff, with the service replaced by a non-label of the same length
        Envelope valid = SampleEnvelopes.envelope(MessageType.SIGN_OFF);
        byte[] frame = codec.encode(valid);
        byte[] service = "web".getBytes();
        int at = lastIndexOf(frame, service); // the body's service, after the envelope's
        frame[at] = 'W';
        assertEquals(DecodeResult.Reason.INVALID_FIELD, failure(frame).reason());
    }

    @Test
    void hugeDeclaredLengthsAreMalformedNotAllocated() {
        // version, type REGISTERED, array32 header declaring 2^31-1 elements
        byte[] frame = {1, (byte) MessageType.HOSTED_SET.id(), (byte) 0xdd, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertEquals(DecodeResult.Reason.MALFORMED, failure(frame).reason());
        // envelope then a str32 of 2^32-1 bytes
        byte[] str = {1, 1, (byte) 0x96, 1, 2, (byte) 0xdb, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertEquals(DecodeResult.Reason.MALFORMED, failure(str).reason());
    }

    @Test
    void fieldsAppendedByANewerPeerAreSkipped() {
        // a newer ErrorReply with a third field, and an envelope with a seventh field
        BodyWriter out = new BodyWriter();
        out.struct(7).int64(1).int64(2).string("").string("root-1").int64(3);
        out.struct(3).string("CONFLICT").string("exists").int64(42);
        out.stringList(List.of("future"));
        byte[] body = out.finish();
        byte[] frame = new byte[body.length + 2];
        frame[0] = 1;
        frame[1] = (byte) MessageType.ERROR.id();
        System.arraycopy(body, 0, frame, 2, body.length);
        DecodeResult r = codec.decode(frame);
        assertEquals(new DecodeResult.Decoded(new Envelope(new MessageId(1, 2), "", "root-1", 3,
                new RootMessage.ErrorReply("CONFLICT", "exists"))), r);
    }

    @Test
    void aCodecReadsAnAppendedFieldOnlyWhenItIsThere() {
        // a later ErrorReply codec that appended a retry hint, reading frames of both versions
        record Hinted(String code, String message, long retryAfter) {
        }
        MessageCodec<RootMessage.ErrorReply> later = MessageCodec.of(MessageType.ERROR, RootMessage.ErrorReply.class,
                (w, m) -> w.struct(3).string(m.code()).string(m.message()).int64(77),
                r -> r.struct(f -> {
                    Hinted h = new Hinted(f.string(), f.string(), f.hasField() ? f.int64() : -1);
                    return new RootMessage.ErrorReply(h.code(), h.message() + "/" + h.retryAfter());
                }));
        FrameCodec laterCodec = new FrameCodec(List.of(later));
        Envelope old = SampleEnvelopes.envelope(MessageType.ERROR);
        RootMessage.ErrorReply oldBody = (RootMessage.ErrorReply) old.body();

        Envelope fromOld = ((DecodeResult.Decoded) laterCodec.decode(codec.encode(old))).envelope();
        Envelope fromNew = ((DecodeResult.Decoded) laterCodec.decode(laterCodec.encode(old))).envelope();
        Envelope oldReadsNew = ((DecodeResult.Decoded) codec.decode(laterCodec.encode(old))).envelope();

        assertEquals(oldBody.message() + "/-1", ((RootMessage.ErrorReply) fromOld.body()).message());
        assertEquals(oldBody.message() + "/77", ((RootMessage.ErrorReply) fromNew.body()).message());
        assertEquals(old, oldReadsNew);
    }

    @Test
    void aStructWithTooFewFieldsIsMalformed() {
        BodyWriter out = new BodyWriter();
        out.struct(6).int64(1).int64(2).string("").string("root-1").int64(3);
        out.struct(1).string("CONFLICT");
        byte[] body = out.finish();
        byte[] frame = new byte[body.length + 2];
        frame[0] = 1;
        frame[1] = (byte) MessageType.ERROR.id();
        System.arraycopy(body, 0, frame, 2, body.length);
        assertEquals(DecodeResult.Reason.MALFORMED, failure(frame).reason());
    }

    @Test
    void aCodecThatWritesFewerFieldsThanDeclaredFailsAtOnce() {
        BodyWriter out = new BodyWriter();
        out.struct(2).string("only one");
        assertThrows(IllegalStateException.class, out::finish);
        BodyWriter over = new BodyWriter();
        over.struct(1).string("one");
        assertThrows(IllegalStateException.class, () -> over.string("two"));
    }

    private DecodeResult.Failure failure(byte[] frame) {
        return assertInstanceOf(DecodeResult.Failure.class, codec.decode(frame));
    }

    private static int lastIndexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
