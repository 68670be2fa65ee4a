package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
import dev.tendril.protocol.message.RootMessage.KeysUnchanged;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key-refresh digests: KeysQuery and KeyListing carry them as appended fields (frames of
 * older peers decode with "", older peers skip them), KeysUnchanged answers a known digest.
 */
class KeyDigestCodecTest {
    private static final EnrolledKey MUNICH = new EnrolledKey(KeyRole.PLATFORM, "munich-1",
            "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", 1_700_000_000_000L);
    private static final EnrolledKey ALICE = new EnrolledKey(KeyRole.OPERATOR, "alice",
            "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", 0L);

    private final FrameCodec codec = FrameCodec.standard();

    /** The codecs as they were before the digests: no field for them. */
    private final FrameCodec older = new FrameCodec(List.of(
            MessageCodec.of(MessageType.KEYS_QUERY, KeysQuery.class,
                    (w, m) -> w.struct(0),
                    r -> r.struct(f -> new KeysQuery())),
            MessageCodec.of(MessageType.KEY_LISTING, KeyListing.class,
                    (w, m) -> w.struct(1).list(m.keys(), RootCodecs::enrolledKey),
                    r -> r.struct(f -> new KeyListing(f.list(RootCodecs::enrolledKey))))));

    @Test
    void digestsRoundTrip() {
        KeyListing listing = KeyListing.withDigest(List.of(MUNICH, ALICE));
        for (RootMessage body : List.of(new KeysQuery(listing.digest()), new KeysQuery(), listing,
                new KeysUnchanged(listing.digest()))) {
            Envelope e = envelope(body);
            assertEquals(new DecodeResult.Decoded(e), codec.decode(codec.encode(e)), body.toString());
        }
    }

    @Test
    void olderPeersAndNewerPeersUnderstandEachOther() {
        KeyListing listing = KeyListing.withDigest(List.of(MUNICH, ALICE));
        // an older edge asks without a digest: a newer root reads "" (and answers the whole listing)
        assertEquals(envelope(new KeysQuery("")), decoded(codec, older.encode(envelope(new KeysQuery()))));
        // an older root answers without a digest: a newer edge reads "" (and asks with "" next time)
        assertEquals(envelope(new KeyListing(listing.keys(), "")), decoded(codec, older.encode(envelope(listing))));
        // an older peer skips the appended digest
        assertEquals(envelope(new KeysQuery()), decoded(older, codec.encode(envelope(new KeysQuery(listing.digest())))));
        assertEquals(envelope(new KeyListing(listing.keys())), decoded(older, codec.encode(envelope(listing))));
    }

    /** The codec as it was with the digest and before the hold (a long poll). */
    private final FrameCodec beforeHold = new FrameCodec(List.of(
            MessageCodec.of(MessageType.KEYS_QUERY, KeysQuery.class,
                    (w, m) -> w.struct(1).string(m.knownDigest()),
                    r -> r.struct(f -> new KeysQuery(f.hasField() ? f.string() : "")))));

    @Test
    void theHoldRoundTripsAndPeersWithoutItAnswerAtOnce() {
        KeyListing listing = KeyListing.withDigest(List.of(MUNICH, ALICE));
        Envelope held = envelope(new KeysQuery(listing.digest(), 10_000));
        assertEquals(new DecodeResult.Decoded(held), codec.decode(codec.encode(held)));
        // an older edge asks without a hold: a newer root reads 0 (answers at once)
        assertEquals(envelope(new KeysQuery(listing.digest(), 0)),
                decoded(codec, beforeHold.encode(envelope(new KeysQuery(listing.digest())))));
        // an older root skips the hold and answers at once, as it always did
        assertEquals(envelope(new KeysQuery(listing.digest())), decoded(beforeHold, codec.encode(held)));
        assertEquals(0, new KeysQuery("d", -5).holdMillis(), "a negative hold is none");
    }

    @Test
    void theDigestDependsOnTheKeysNotOnTheirOrder() {
        String digest = KeyListing.digestOf(List.of(MUNICH, ALICE));
        assertEquals(64, digest.length());
        assertTrue(digest.chars().allMatch(c -> "0123456789abcdef".indexOf(c) >= 0), digest);
        assertEquals(digest, KeyListing.digestOf(List.of(ALICE, MUNICH)));
        assertNotEquals(digest, KeyListing.digestOf(List.of(MUNICH)), "a revoked key changes it");
        assertNotEquals(digest, KeyListing.digestOf(List.of(MUNICH, new EnrolledKey(KeyRole.PLATFORM, "alice",
                ALICE.publicKey(), 0L))), "so does a key's role");
        assertNotEquals(digest, KeyListing.digestOf(List.of(MUNICH, new EnrolledKey(KeyRole.OPERATOR, "alice",
                ALICE.publicKey(), 1L))), "and its enrolment time (the newest key is a platform's server key)");
        assertNotEquals("", KeyListing.digestOf(List.of()), "no keys is a listing too");
    }

    @Test
    void anUnchangedReplyNamesADigest() {
        assertThrows(IllegalArgumentException.class, () -> new KeysUnchanged(""));
        Envelope e = envelope(new KeysUnchanged("x"));
        byte[] frame = codec.encode(e);
        // the same frame with an empty digest: struct(1) of "x" -> "" keeps the length of the header
        byte[] empty = java.util.Arrays.copyOf(frame, frame.length - 1);
        empty[empty.length - 1] = (byte) 0xa0;
        DecodeResult.Failure failure = assertInstanceOf(DecodeResult.Failure.class, codec.decode(empty));
        assertEquals(DecodeResult.Reason.INVALID_FIELD, failure.reason());
    }

    private static Envelope envelope(RootMessage body) {
        return new Envelope(new MessageId(7, 8), "", "munich-1", 1_700_000_000_000L, body);
    }

    private static Envelope decoded(FrameCodec codec, byte[] frame) {
        return assertInstanceOf(DecodeResult.Decoded.class, codec.decode(frame)).envelope();
    }
}
