package dev.tendril.edge.application.security;

import dev.tendril.edge.overlay.RootControl;
import dev.tendril.edge.testing.FakeRoot;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
import dev.tendril.protocol.message.RootMessage.KeysUnchanged;
import dev.tendril.protocol.transport.Caller;
import dev.tendril.protocol.transport.CurveKeyPair;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge's key refresh names the digest of the listing it holds: "unchanged" keeps the
 * listing, a new listing (after an enrolment or a revocation) replaces it at the next refresh.
 */
class RefreshEnrolledKeysTest {
    private final String munich = CurveKeyPair.generate().publicKey();
    private final String sydney = CurveKeyPair.generate().publicKey();
    private final FakeRoot root = new FakeRoot();
    private final List<RootMessage> asked = new ArrayList<>();
    private final List<Message> answered = new ArrayList<>();
    private final RootControl recording = (service, request) -> {
        asked.add(request);
        Optional<Message> reply = root.call(service, request);
        reply.ifPresent(answered::add);
        return reply;
    };
    private final EnrolledPeers peers = new EnrolledPeers(Map.of());
    private final RefreshEnrolledKeys refresh = new RefreshEnrolledKeys("fiji-1", recording, peers);

    @Test
    void unchangedKeepsTheListingAndARevocationArrivesAtTheNextRefresh() {
        root.keys.add(new EnrolledKey(KeyRole.PLATFORM, "munich", munich, 10));
        root.keys.add(new EnrolledKey(KeyRole.PLATFORM, "sydney", sydney, 20));

        refresh.run();
        assertEquals(new KeysQuery(""), asked.get(0), "nothing held yet: the whole listing");
        KeyListing first = assertInstanceOf(KeyListing.class, answered.get(0));
        assertEquals(first.digest(), peers.digest());
        assertEquals(Optional.of(Caller.platform("sydney", sydney)), peers.platforms().callerOf(sydney));

        refresh.run();
        refresh.run();
        assertEquals(List.of(new KeysQuery(first.digest()), new KeysQuery(first.digest())), asked.subList(1, 3));
        assertEquals(List.of(new KeysUnchanged(first.digest()), new KeysUnchanged(first.digest())), answered.subList(1, 3));
        assertEquals(2, peers.size(), "unchanged keeps the listing");
        assertEquals(Optional.of(Caller.platform("sydney", sydney)), peers.platforms().callerOf(sydney));

        root.keys.removeIf(k -> k.name().equals("sydney")); // revoked at the root
        refresh.run();
        KeyListing revoked = assertInstanceOf(KeyListing.class, answered.get(3), "a new listing, not unchanged");
        assertEquals(Optional.empty(), peers.platforms().callerOf(sydney), "refused within one refresh");
        assertEquals(Optional.of(Caller.platform("munich", munich)), peers.platforms().callerOf(munich));
        assertEquals(revoked.digest(), peers.digest());

        root.keys.add(new EnrolledKey(KeyRole.PLATFORM, "sydney", sydney, 30)); // enrolled again
        refresh.run();
        assertInstanceOf(KeyListing.class, answered.get(4));
        assertEquals(Optional.of(Caller.platform("sydney", sydney)), peers.platforms().callerOf(sydney));
        refresh.run();
        assertInstanceOf(KeysUnchanged.class, answered.get(5));
    }

    @Test
    void onceItHoldsAListingItAsksTheRootToHoldTheQueryAndAfterASilenceItAsksAtOnce() {
        root.keys.add(new EnrolledKey(KeyRole.PLATFORM, "munich", munich, 10));
        List<String> how = new ArrayList<>();
        boolean[] silent = {false};
        RootControl holding = new RootControl() {
            @Override
            public Optional<Message> call(String service, RootMessage request) {
                how.add("at once");
                asked.add(request);
                return root.call(service, request);
            }

            @Override
            public Optional<Message> callHeld(String service, RootMessage request, java.time.Duration wait) {
                how.add("held " + wait.toSeconds() + " s");
                asked.add(request);
                return silent[0] ? Optional.empty() : root.call(service, request);
            }
        };
        RefreshEnrolledKeys keys = new RefreshEnrolledKeys("fiji-1", holding, peers);

        keys.runHeld(); // nothing held yet: the whole listing, at once
        String digest = peers.digest();
        keys.runHeld();
        assertEquals(List.of("at once", "held 13 s"), how, "the hold plus its margin");
        assertEquals(new KeysQuery(digest, RefreshEnrolledKeys.HOLD.toMillis()), asked.get(1));

        silent[0] = true; // the root went away while it held the query
        keys.runHeld();
        keys.runHeld();
        assertEquals(List.of("at once", "held 13 s", "held 13 s", "at once"), how,
                "after a silence an ordinary query, which looks for a root that answers");
        assertEquals(1, peers.size(), "a silence keeps the listing");
        keys.runHeld();
        assertEquals("held 13 s", how.get(4), "the root answered again: held again");
    }

    @Test
    void aRootOutageAndAnOlderRootKeepTheListing() {
        root.keys.add(new EnrolledKey(KeyRole.PLATFORM, "munich", munich, 10));
        refresh.run();
        root.unreachable = true;
        refresh.run();
        assertEquals(Optional.of(Caller.platform("munich", munich)), peers.platforms().callerOf(munich), "the last listing stays");
        root.unreachable = false;
        refresh.run();
        assertInstanceOf(KeysUnchanged.class, answered.get(answered.size() - 1), "the digest held survives the outage");

        // an older root sends listings without a digest: every refresh then asks for (and gets) the whole listing
        EnrolledPeers fromOlder = new EnrolledPeers(Map.of());
        List<RootMessage> olderAsked = new ArrayList<>();
        RefreshEnrolledKeys olderRefresh = new RefreshEnrolledKeys("fiji-1", (service, request) -> {
            olderAsked.add(request);
            return Optional.of(new KeyListing(root.keys));
        }, fromOlder);
        olderRefresh.run();
        olderRefresh.run();
        assertEquals(List.of(new KeysQuery(""), new KeysQuery("")), olderAsked);
        assertEquals(1, fromOlder.size());
    }

    @Test
    void anUnchangedReplyForAnotherDigestIsNotTrusted() {
        root.keys.add(new EnrolledKey(KeyRole.PLATFORM, "munich", munich, 10));
        refresh.run();
        String held = peers.digest();
        RefreshEnrolledKeys confused = new RefreshEnrolledKeys("fiji-1",
                (service, request) -> Optional.of(new KeysUnchanged("0".repeat(64))), peers);
        confused.run();
        assertEquals("", peers.digest(), "the next refresh asks for the whole listing");
        assertEquals(1, peers.size(), "the keys stay meanwhile");
        refresh.run();
        assertEquals(new KeysQuery(""), asked.get(asked.size() - 1));
        assertEquals(held, peers.digest());
        assertTrue(peers.heard());
    }
}
