package dev.tendril.root.application.security;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.EnrolKey;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
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
}
