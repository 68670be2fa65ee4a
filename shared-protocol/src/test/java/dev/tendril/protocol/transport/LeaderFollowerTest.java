package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.LeaderHint;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.NodeState;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A group of fake roots (real JeroMQ servers on free ports) that answer NOT_LEADER as followers do. */
class LeaderFollowerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC);
    private final EnvelopeFactory envelopes = new EnvelopeFactory("edge-1", CLOCK, new SplittableRandom(5));
    @AutoClose
    private final Closeables open = new Closeables();
    private final PipelinedClient client = open.track(new PipelinedClient("edge-1"));

    /** A fake root: acknowledges while it leads, else refuses naming {@code leader} (null: none known). */
    private final class Root {
        final RequestServer server;
        final AtomicReference<String> leader = new AtomicReference<>();
        final AtomicInteger requests = new AtomicInteger();
        final Set<MessageId> ids = ConcurrentHashMap.newKeySet();

        Root() {
            server = open.track(RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root"), request -> {
                requests.incrementAndGet();
                ids.add(request.id());
                String l = leader.get();
                return l != null && l.equals(endpoint()) ? new Ack() : refusal(l);
            }, CLOCK));
        }

        String endpoint() {
            return server.endpoint();
        }

        Message refusal(String l) {
            return LeaderHint.notLeader("root", Optional.ofNullable(l));
        }
    }

    private LeaderFollower follower(Duration leaderWait, Root... roots) {
        return new LeaderFollower(client, List.of(roots).stream()
                .map(r -> ClientOptions.of(r.endpoint()).withRetries(Duration.ofMillis(500), 2)).toList(), leaderWait);
    }

    private RequestResult write(LeaderFollower f) {
        return f.request(() -> envelopes.create("web", new NodeState("web", "n1", true)));
    }

    @Test
    void aFollowerNamingTheLeaderSendsTheRequestThereAndTheLeaderIsAskedFirstNextTime() {
        Root a = new Root();
        Root b = new Root();
        a.leader.set(b.endpoint());
        b.leader.set(b.endpoint());
        LeaderFollower f = follower(Duration.ofSeconds(2), a, b);

        RequestResult r = write(f);

        assertInstanceOf(Ack.class, ((RequestResult.Reply) r).envelope().body());
        assertEquals(b.endpoint(), f.preferredEndpoint());
        assertInstanceOf(Ack.class, ((RequestResult.Reply) write(f)).envelope().body());
        assertEquals(1, a.requests.get(), "the second request went straight to the leader");
        assertEquals(2, b.requests.get());
    }

    @Test
    void withoutALeaderTheRootsAreAskedAgainWithAFreshIdUntilOneLeads() {
        Root c = new Root();
        Root b = new Root();
        LeaderFollower g = follower(Duration.ofSeconds(10), c, b);
        // b becomes the leader once c has refused three times (an election that takes a few rounds)
        Thread elect = new Thread(() -> {
            while (c.requests.get() < 3) {
                Thread.onSpinWait();
            }
            b.leader.set(b.endpoint());
            c.leader.set(b.endpoint());
        });
        elect.setDaemon(true);
        elect.start();

        RequestResult r = write(g);

        assertInstanceOf(Ack.class, ((RequestResult.Reply) r).envelope().body());
        assertTrue(c.requests.get() >= 3);
        assertEquals(c.requests.get(), c.ids.size(), "each time the same root was asked again, with a new id");
    }

    @Test
    void noLeaderWithinTheWaitAnswersTheLastRefusal() {
        Root a = new Root();
        Root b = new Root();
        LeaderFollower f = follower(Duration.ofMillis(300), a, b);

        RequestResult r = write(f);

        assertTrue(LeaderHint.isNotLeader(((RequestResult.Reply) r).envelope().body()));
    }

    @Test
    void aSingleRootThatNeverRefusesIsAskedOnce() {
        Root a = new Root();
        a.leader.set(a.endpoint());
        LeaderFollower f = follower(Duration.ofSeconds(5), a);

        assertInstanceOf(Ack.class, ((RequestResult.Reply) write(f)).envelope().body());
        assertEquals(1, a.requests.get());
    }

    @Test
    void aSilentRootIsNoLongerAskedFirst() {
        Root dead = new Root();
        Root b = new Root();
        b.leader.set(b.endpoint());
        dead.server.close();
        LeaderFollower f = new LeaderFollower(client, List.of(
                ClientOptions.of(dead.endpoint()).withRetries(Duration.ofMillis(100), 1),
                ClientOptions.of(b.endpoint()).withRetries(Duration.ofMillis(500), 2)), Duration.ofSeconds(2));

        assertInstanceOf(Ack.class, ((RequestResult.Reply) write(f)).envelope().body());
        assertEquals(b.endpoint(), f.preferredEndpoint());
    }

    @Test
    void aRootListedWithItsNextKeyIsReachedAfterItRotatedAndTheNextKeyIsAskedFirstFromThenOn() {
        CurveKeyPair current = CurveKeyPair.generate();
        CurveKeyPair next = CurveKeyPair.generate();
        CurveKeyPair me = CurveKeyPair.generate();
        AtomicInteger handled = new AtomicInteger();
        RequestServer before = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root")
                .withCurve(new ServerOptions.Curve(current, Set.of())), request -> {
                    handled.incrementAndGet();
                    return new Ack();
                }, CLOCK);
        String endpoint = before.endpoint();
        ClientOptions plain = ClientOptions.of(endpoint).withRetries(Duration.ofMillis(1500), 1);
        LeaderFollower f = new LeaderFollower(client, List.of(
                plain.withCurve(new ClientOptions.Curve(me, current.publicKey())),
                plain.withCurve(new ClientOptions.Curve(me, next.publicKey()))), Duration.ofSeconds(4)).connectAll();
        assertInstanceOf(Ack.class, ((RequestResult.Reply) write(f)).envelope().body());
        assertEquals(Optional.of(current.publicKey()), f.preferredServerKey());

        before.close(); // the root rotates: the same port, its next key
        RequestServer after = open.track(RequestServer.start(ServerOptions.of(endpoint, "root")
                .withCurve(new ServerOptions.Curve(next, Set.of())), request -> {
                    handled.incrementAndGet();
                    return new Ack();
                }, CLOCK));
        assertInstanceOf(Ack.class, ((RequestResult.Reply) write(f)).envelope().body(),
                "the listing with the next key answers in the same request");
        assertEquals(Optional.of(next.publicKey()), f.preferredServerKey());
        assertInstanceOf(Ack.class, ((RequestResult.Reply) write(f)).envelope().body());
        assertEquals(3, handled.get());
        assertEquals(2, after.stats().handled());
    }

}
