package dev.tendril.root.application.security;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.EnrolKey;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
import dev.tendril.protocol.message.RootMessage.KeysUnchanged;
import dev.tendril.protocol.message.RootMessage.RevokeKey;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.root.testing.InMemoryKeyStore;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class KeyEnrolmentTest {
    private final String alice = CurveKeyPair.generate().publicKey();
    private final String munich = CurveKeyPair.generate().publicKey();
    private final String munich2 = CurveKeyPair.generate().publicKey();
    private final InMemoryKeyStore store = new InMemoryKeyStore();
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
    private final KeyEnrolment keys = new KeyEnrolment("root-1", store, Map.of("alice", alice), clock);
    private final Caller operator = Caller.operator("alice", alice);

    private RootMessage ask(RootMessage request, Caller caller) {
        return keys.handle(request, caller).orElseThrow();
    }

    @Test
    void anOperatorEnrolsAPlatformWhichIsThenKnownAndDurable() {
        assertEquals(Optional.empty(), keys.callerOf(munich));
        assertInstanceOf(Ack.class, ask(new EnrolKey(KeyRole.PLATFORM, "munich", munich), operator));
        assertEquals(Optional.of(Caller.platform("munich", munich)), keys.callerOf(munich));
        assertEquals(List.of(new EnrolledKey(KeyRole.PLATFORM, "munich", munich, 1_700_000_000_000L)), store.all());
        KeyEnrolment reloaded = new KeyEnrolment("root-1", store, Map.of(), clock);
        assertEquals(Optional.of(Caller.platform("munich", munich)), reloaded.callerOf(munich));
        assertEquals(Optional.of(operator), keys.callerOf(alice));
    }

    @Test
    void onlyOperatorsEnrolAndRevoke() {
        Caller platform = Caller.platform("munich", munich);
        ErrorReply e = assertInstanceOf(ErrorReply.class, ask(new EnrolKey(KeyRole.OPERATOR, "mallory", munich2), platform));
        assertEquals("FORBIDDEN", e.code());
        assertEquals("FORBIDDEN", assertInstanceOf(ErrorReply.class,
                ask(new RevokeKey(KeyRole.PLATFORM, "munich", ""), platform)).code());
        assertEquals("FORBIDDEN", assertInstanceOf(ErrorReply.class, ask(new KeysQuery(), Caller.anonymous(munich2))).code());
        assertEquals(Optional.empty(), keys.callerOf(munich2));
    }

    @Test
    void revokingABootstrapOperatorSaysWhereItComesFrom() {
        ErrorReply e = assertInstanceOf(ErrorReply.class, ask(new RevokeKey(KeyRole.OPERATOR, "alice", ""), operator));
        assertEquals("NOT_FOUND", e.code());
        assertEquals(true, e.message().contains("bootstrap operator of the root's config"), e.message());
        assertEquals(Optional.of(operator), keys.callerOf(alice), "still admitted");
        ErrorReply other = assertInstanceOf(ErrorReply.class, ask(new RevokeKey(KeyRole.OPERATOR, "bob", ""), operator));
        assertEquals(false, other.message().contains("bootstrap"), other.message());
    }

    @Test
    void rotationKeepsBothKeysUntilTheOldOneIsRevoked() {
        ask(new EnrolKey(KeyRole.PLATFORM, "munich", munich), operator);
        ask(new EnrolKey(KeyRole.PLATFORM, "munich", munich2), operator);
        assertEquals(true, keys.callerOf(munich).isPresent() && keys.callerOf(munich2).isPresent());
        assertInstanceOf(Ack.class, ask(new RevokeKey(KeyRole.PLATFORM, "munich", munich), operator));
        assertEquals(Optional.empty(), keys.callerOf(munich));
        assertEquals(Optional.of(Caller.platform("munich", munich2)), keys.callerOf(munich2));
        assertInstanceOf(Ack.class, ask(new RevokeKey(KeyRole.PLATFORM, "munich", ""), operator));
        assertEquals(Optional.empty(), keys.callerOf(munich2));
        assertEquals("NOT_FOUND", assertInstanceOf(ErrorReply.class, ask(new RevokeKey(KeyRole.PLATFORM, "munich", ""), operator)).code());
    }

    @Test
    void aKeyBelongsToOneNameAndTheListingShowsAll() {
        ask(new EnrolKey(KeyRole.PLATFORM, "munich", munich), operator);
        assertEquals("CONFLICT", assertInstanceOf(ErrorReply.class, ask(new EnrolKey(KeyRole.PLATFORM, "sydney", munich), operator)).code());
        assertEquals("CONFLICT", assertInstanceOf(ErrorReply.class, ask(new EnrolKey(KeyRole.PLATFORM, "sydney", alice), operator)).code());
        KeyListing listing = assertInstanceOf(KeyListing.class, ask(new KeysQuery(), Caller.platform("munich", munich)));
        assertEquals(List.of(new EnrolledKey(KeyRole.PLATFORM, "munich", munich, 1_700_000_000_000L),
                new EnrolledKey(KeyRole.OPERATOR, "alice", alice, 0L)), listing.keys());
    }

    @Test
    void anEdgeHoldingTheCurrentListingIsToldUnchangedAndGetsTheWholeListingAfterAChange() {
        Caller edge = Caller.platform("munich", munich);
        ask(new EnrolKey(KeyRole.PLATFORM, "munich", munich), operator);
        KeyListing first = assertInstanceOf(KeyListing.class, ask(new KeysQuery(), edge), "no digest held: the whole listing");
        assertEquals(KeyListing.digestOf(first.keys()), first.digest(), "the digest is the listing's own");
        assertEquals(new KeysUnchanged(first.digest()), ask(new KeysQuery(first.digest()), edge));
        assertEquals(new KeysUnchanged(first.digest()), ask(new KeysQuery(first.digest()), edge), "and again");
        assertInstanceOf(KeyListing.class, ask(new KeysQuery("some other digest"), edge));

        ask(new EnrolKey(KeyRole.PLATFORM, "sydney", munich2), operator);
        KeyListing enrolled = assertInstanceOf(KeyListing.class, ask(new KeysQuery(first.digest()), edge), "after an enrolment");
        assertNotEquals(first.digest(), enrolled.digest());
        assertEquals(3, enrolled.keys().size());
        assertEquals(new KeysUnchanged(enrolled.digest()), ask(new KeysQuery(enrolled.digest()), edge));

        ask(new RevokeKey(KeyRole.PLATFORM, "sydney", ""), operator);
        KeyListing revoked = assertInstanceOf(KeyListing.class, ask(new KeysQuery(enrolled.digest()), edge), "after a revocation");
        assertEquals(first, revoked, "the same keys as before: the same listing and digest");

        assertEquals("NOT_FOUND", assertInstanceOf(ErrorReply.class, ask(new RevokeKey(KeyRole.PLATFORM, "sydney", ""), operator)).code());
        assertEquals(new KeysUnchanged(first.digest()), ask(new KeysQuery(first.digest()), edge), "a refused revocation changes nothing");
        assertEquals("FORBIDDEN", assertInstanceOf(ErrorReply.class, ask(new KeysQuery(first.digest()), Caller.anonymous(munich2))).code(),
                "an unenrolled caller learns nothing, not even that its digest is current");
    }

    @Test
    void rootsHoldingTheSameKeysGiveTheSameDigest() {
        // replicated roots share the keys through their replicated state: different insertion order, same digest
        ask(new EnrolKey(KeyRole.PLATFORM, "munich", munich), operator);
        ask(new EnrolKey(KeyRole.PLATFORM, "munich", munich2), operator);
        InMemoryKeyStore other = new InMemoryKeyStore();
        List<EnrolledKey> reversed = new ArrayList<>(store.all());
        java.util.Collections.reverse(reversed);
        reversed.forEach(other::enrol);
        KeyEnrolment otherRoot = new KeyEnrolment("root-2", other, Map.of("alice", alice), clock);
        Caller edge = Caller.platform("munich", munich);
        KeyListing here = assertInstanceOf(KeyListing.class, ask(new KeysQuery(), edge));
        assertEquals(new KeysUnchanged(here.digest()), otherRoot.handle(new KeysQuery(here.digest()), edge).orElseThrow());
        otherRoot.reload();
        assertEquals(new KeysUnchanged(here.digest()), otherRoot.handle(new KeysQuery(here.digest()), edge).orElseThrow(),
                "a reload of the same keys keeps the digest");
        other.revoke(KeyRole.PLATFORM, "munich", munich);
        otherRoot.reload();
        assertInstanceOf(KeyListing.class, otherRoot.handle(new KeysQuery(here.digest()), edge).orElseThrow(),
                "a snapshot that revoked a key changes it");
    }

    @Test
    void aHeldQueryIsAnsweredWithTheNewListingWhenAKeyIsRevoked() throws Exception {
        assertInstanceOf(Ack.class, ask(new EnrolKey(KeyRole.PLATFORM, "munich", munich), operator));
        Caller platform = Caller.platform("munich", munich);
        String digest = ((KeyListing) ask(new KeysQuery(), platform)).digest();
        java.util.concurrent.CompletableFuture<RootMessage> held = keys.holdIfUnchanged(new KeysQuery(digest, 60_000), platform)
                .orElseThrow().toCompletableFuture();
        assertEquals(1, keys.heldQueries());
        Thread.sleep(50);
        assertEquals(false, held.isDone(), "held while the keys stay as the asker holds them");

        assertInstanceOf(Ack.class, ask(new RevokeKey(KeyRole.PLATFORM, "munich", ""), operator));
        KeyListing after = assertInstanceOf(KeyListing.class, held.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertNotEquals(digest, after.digest());
        assertEquals(List.of("alice"), after.keys().stream().map(EnrolledKey::name).toList(), "munich is gone");
        assertEquals(0, keys.heldQueries());
    }

    @Test
    void aHeldQueryEndsUnchangedWhenItsHoldRunsOut() throws Exception {
        Caller platform = Caller.platform("munich", munich);
        String digest = ((KeyListing) ask(new KeysQuery(), platform)).digest();
        long t0 = System.nanoTime();
        RootMessage reply = keys.holdIfUnchanged(new KeysQuery(digest, 200), platform).orElseThrow()
                .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(new KeysUnchanged(digest), reply);
        assertEquals(true, System.nanoTime() - t0 >= 150_000_000L, "not before the hold ran out");
        assertEquals(0, keys.heldQueries());
    }

    @Test
    void onlyAnUnchangedQueryOfAnEnrolledCallerThatAsksIsHeld() {
        Caller platform = Caller.platform("munich", munich);
        String digest = ((KeyListing) ask(new KeysQuery(), platform)).digest();
        assertEquals(Optional.empty(), keys.holdIfUnchanged(new KeysQuery("an older digest", 60_000), platform),
                "the asker's listing is out of date: answered at once");
        assertEquals(Optional.empty(), keys.holdIfUnchanged(new KeysQuery(digest, 0), platform), "no hold asked");
        assertEquals(Optional.empty(), keys.holdIfUnchanged(new KeysQuery(digest, 60_000), Caller.anonymous("key x")),
                "refused by handle, never held");
        assertEquals(Optional.empty(), keys.holdIfUnchanged(new EnrolKey(KeyRole.PLATFORM, "x", munich2), operator));
        assertEquals(0, keys.heldQueries());
    }

    @Test
    void theShareOfHeldQueriesIsPerKeyNotPerLogName() {
        Caller platform = Caller.platform("munich", munich);
        String digest = ((KeyListing) ask(new KeysQuery(), platform)).digest();
        // two keys alike in the 8 characters describe() shows: each its own share
        Caller twin = Caller.platform("munich", munich.substring(0, 8) + munich2.substring(8));
        assertEquals(platform.describe(), twin.describe());
        for (int i = 0; i < HeldKeysQueries.PER_CALLER; i++) {
            assertEquals(true, keys.holdIfUnchanged(new KeysQuery(digest, 60_000), platform).isPresent());
        }
        assertEquals(Optional.empty(), keys.holdIfUnchanged(new KeysQuery(digest, 60_000), platform), "past its share");
        assertEquals(true, keys.holdIfUnchanged(new KeysQuery(digest, 60_000), twin).isPresent(), "another key's share");
    }

    @Test
    void pastItsCapacityAQueryIsAnsweredAtOnce() {
        HeldKeysQueries two = new HeldKeysQueries("root-1", 2, HeldKeysQueries.PER_CALLER);
        assertEquals(true, two.hold("edge-1", "d", 60_000).isPresent());
        assertEquals(true, two.hold("edge-2", "d", 60_000).isPresent());
        assertEquals(Optional.empty(), two.hold("edge-3", "d", 60_000));
        assertEquals(2, two.size());
    }

    @Test
    void oneCallerHoldsOnlyItsShareAndGetsItBackWhenAnswered() throws Exception {
        HeldKeysQueries places = new HeldKeysQueries("root-1", 100, 2);
        java.util.concurrent.CompletableFuture<RootMessage> first = places.hold("mallory", "d", 100).orElseThrow();
        assertEquals(true, places.hold("mallory", "d", 60_000).isPresent());
        assertEquals(Optional.empty(), places.hold("mallory", "d", 60_000), "past its share: answered at once");
        assertEquals(true, places.hold("munich", "d", 60_000).isPresent(), "other callers are still held");
        assertEquals(new KeysUnchanged("d"), first.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(true, places.hold("mallory", "d", 60_000).isPresent(), "an answered query frees its place");
        assertEquals(3, places.size());
    }
}
