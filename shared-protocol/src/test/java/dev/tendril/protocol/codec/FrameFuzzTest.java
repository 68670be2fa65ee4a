package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Decoding is total: random frames and mutated valid frames (truncations, bit flips,
 * inserted bytes, huge declared lengths) give a {@link DecodeResult} and never any
 * exception or out-of-memory error; whatever decodes re-encodes to the same envelope.
 */
class FrameFuzzTest {
    private static final FrameCodec CODEC = FrameCodec.standard();
    private static final List<byte[]> VALID = Arrays.stream(MessageType.values())
            .map(t -> CODEC.encode(SampleEnvelopes.envelope(t))).toList();

    /** A MessagePack length prefix declaring (nearly) 4 GiB: str32, bin32, array32, map32, ext32. */
    private static final byte[][] HUGE = {
            {(byte) 0xdb, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe},
            {(byte) 0xc6, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {(byte) 0xdd, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {(byte) 0xdf, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {(byte) 0xc9, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1},
            {(byte) 0xdc, (byte) 0xff, (byte) 0xff},
    };

    @Property(tries = 3000)
    void randomBytesNeverThrow(@ForAll @Size(max = 300) byte[] body, @ForAll boolean validHeader,
                               @ForAll("typeIds") int typeId) {
        byte[] frame = body;
        if (validHeader && body.length >= 2) {
            frame = body.clone();
            frame[0] = (byte) Envelope.VERSION;
            frame[1] = (byte) typeId;
        }
        checkTotal(frame);
    }

    @Property(tries = 5000)
    void mutatedFramesNeverThrow(@ForAll("mutated") byte[] frame) {
        checkTotal(frame);
    }

    @Property(tries = 500)
    void envelopesRoundTrip(@ForAll long high, @ForAll long low, @ForAll @Size(max = 80) String service,
                            @ForAll @Size(max = 80) String from, @ForAll long sentAt,
                            @ForAll @Size(max = 200) String code, @ForAll @Size(max = 2000) String text) {
        Envelope e = new Envelope(new MessageId(high, low), wellFormed(service), wellFormed(from), sentAt,
                new ErrorReply(wellFormed(code), wellFormed(text)));
        assertEquals(new DecodeResult.Decoded(e), CODEC.decode(CODEC.encode(e)));
    }

    @Property(tries = 200)
    void listsRoundTrip(@ForAll("labels") @Size(max = 300) List<String> nodeIds) {
        Envelope e = new Envelope(new MessageId(1, 2), "web", "root-1", 3, new HostedSet("web", nodeIds));
        assertEquals(new DecodeResult.Decoded(e), CODEC.decode(CODEC.encode(e)));
    }

    private static void checkTotal(byte[] frame) {
        DecodeResult result = CODEC.decode(frame); // any exception or error fails the property
        assertNotNull(result);
        if (result instanceof DecodeResult.Decoded decoded) {
            assertEquals(result, CODEC.decode(CODEC.encode(decoded.envelope())));
        }
    }

    /** Strings with unpaired surrogates cannot be UTF-8 encoded faithfully; replace them as the encoder would. */
    private static String wellFormed(String s) {
        return new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Provide
    Arbitrary<Integer> typeIds() {
        return Arbitraries.integers().between(0, 255);
    }

    @Provide
    Arbitrary<List<String>> labels() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789").ofMinLength(1).ofMaxLength(63)
                .list();
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> valid = Arbitraries.of(VALID);
        return Arbitraries.oneOf(
                // truncation
                Combinators.combine(valid, Arbitraries.doubles().between(0, 1))
                        .as((f, at) -> Arrays.copyOf(f, (int) (f.length * at))),
                // 1-8 bit flips
                Combinators.combine(valid, Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(8))
                        .as((f, bits) -> {
                            byte[] out = f.clone();
                            for (int b : bits) {
                                int bit = b % (out.length * 8);
                                out[bit / 8] ^= (byte) (1 << (bit % 8));
                            }
                            return out;
                        }),
                // a random byte overwritten
                Combinators.combine(valid, Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.bytes())
                        .as((f, at, b) -> {
                            byte[] out = f.clone();
                            out[at % out.length] = b;
                            return out;
                        }),
                // a huge length prefix written over the body or inserted into it
                Combinators.combine(valid, Arbitraries.integers().between(0, Integer.MAX_VALUE),
                                Arbitraries.of(HUGE), Arbitraries.of(true, false))
                        .as((f, at, huge, insert) -> splice(f, 2 + at % (f.length - 1), huge, insert)),
                // random bytes inserted
                Combinators.combine(valid, Arbitraries.integers().between(0, Integer.MAX_VALUE),
                                Arbitraries.bytes().array(byte[].class).ofMaxSize(16))
                        .as((f, at, junk) -> splice(f, at % (f.length + 1), junk, true)));
    }

    private static byte[] splice(byte[] frame, int at, byte[] piece, boolean insert) {
        at = Math.min(at, frame.length);
        if (insert) {
            byte[] out = new byte[frame.length + piece.length];
            System.arraycopy(frame, 0, out, 0, at);
            System.arraycopy(piece, 0, out, at, piece.length);
            System.arraycopy(frame, at, out, at + piece.length, frame.length - at);
            return out;
        }
        byte[] out = Arrays.copyOf(frame, Math.max(frame.length, at + piece.length));
        System.arraycopy(piece, 0, out, at, piece.length);
        return out;
    }
}
