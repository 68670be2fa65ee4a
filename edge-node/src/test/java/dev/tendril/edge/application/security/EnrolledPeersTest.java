package dev.tendril.edge.application.security;

import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.CurveKeyPair;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The edge's view of the enrolled keys: platforms for the tree socket, operators for the admin socket. */
class EnrolledPeersTest {
    private final String munichOld = CurveKeyPair.generate().publicKey();
    private final String munichNew = CurveKeyPair.generate().publicKey();
    private final String alice = CurveKeyPair.generate().publicKey();
    private final String bob = CurveKeyPair.generate().publicKey();

    @Test
    void aListingReplacesTheViewAndARevokedKeyGoesWithIt() {
        EnrolledPeers peers = new EnrolledPeers(Map.of("bob", bob));
        assertFalse(peers.heard());
        assertEquals(Optional.empty(), peers.platforms().callerOf(munichOld), "nobody before the first listing");
        assertEquals(Optional.of(Caller.operator("bob", bob)), peers.operators().callerOf(bob), "configured operators at once");

        peers.update(new KeyListing(List.of(new EnrolledKey(KeyRole.PLATFORM, "munich", munichNew, 20),
                new EnrolledKey(KeyRole.PLATFORM, "munich", munichOld, 10),
                new EnrolledKey(KeyRole.OPERATOR, "alice", alice, 5))));
        assertTrue(peers.heard());
        assertEquals(Optional.of(Caller.platform("munich", munichOld)), peers.platforms().callerOf(munichOld));
        assertEquals(Optional.of(munichNew), peers.platformKey("munich"), "the newest key is the server key");
        assertEquals(Optional.empty(), peers.platforms().callerOf(alice), "an operator is no platform");
        assertEquals(Optional.of(Caller.operator("alice", alice)), peers.operators().callerOf(alice));
        assertEquals(Optional.empty(), peers.operators().callerOf(munichOld), "a platform opens no admin socket");

        peers.update(new KeyListing(List.of(new EnrolledKey(KeyRole.PLATFORM, "munich", munichNew, 20))));
        assertEquals(Optional.empty(), peers.platforms().callerOf(munichOld));
        assertEquals(Optional.empty(), peers.operators().callerOf(alice));
    }
}
