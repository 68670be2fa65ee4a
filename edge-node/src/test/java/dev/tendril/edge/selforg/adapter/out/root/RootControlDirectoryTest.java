package dev.tendril.edge.selforg.adapter.out.root;

import dev.tendril.edge.overlay.RootControl;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class RootControlDirectoryTest {
    @Test
    void aLargeClusterIsRecordedInRequestsWithinTheRootsSubnetLimit() {
        List<RootMessage.RecordMigration> sent = new ArrayList<>();
        RootControlDirectory d = new RootControlDirectory((service, request) -> {
            sent.add((RootMessage.RecordMigration) request);
            return Optional.of(new RootMessage.Ack());
        });
        List<String> clients = IntStream.range(0, 150).mapToObj(i -> "10.0." + (i / 256) + "." + (i % 256)).toList();
        assertTrue(d.recordMigration("web", clients, "munich", Duration.ofMinutes(10)));
        assertEquals(List.of(64, 64, 22), sent.stream().map(r -> r.clients().size()).toList());
        assertEquals(clients, sent.stream().flatMap(r -> r.clients().stream()).toList());
    }

    @Test
    void aRefusedPartStopsTheRestAndReportsFailure() {
        List<RootMessage.RecordMigration> sent = new ArrayList<>();
        RootControlDirectory d = new RootControlDirectory((service, request) -> {
            sent.add((RootMessage.RecordMigration) request);
            return Optional.of(new RootMessage.ErrorReply("LIMIT", "quota"));
        });
        assertFalse(d.recordMigration("web", IntStream.range(0, 100).mapToObj(i -> "10.1.0." + i).toList(), "munich",
                Duration.ofMinutes(10)));
        assertEquals(1, sent.size());
    }

    /** A root whose held calls the test answers; other calls are not expected. */
    private static final class HeldRoot implements RootControl {
        final List<RootMessage> held = new ArrayList<>();
        final List<CompletableFuture<Optional<Message>>> answers = new ArrayList<>();

        @Override
        public Optional<Message> call(String service, RootMessage request) {
            throw new AssertionError("not a held call: " + request);
        }

        @Override
        public CompletableFuture<Optional<Message>> callHeldLater(String service, RootMessage request, Duration wait) {
            held.add(request);
            CompletableFuture<Optional<Message>> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }
    }

    @Test
    void aWatchIsSentAtOnceAndItsAnswerIsPostedWhenTheRootAnswers() {
        HeldRoot root = new HeldRoot();
        List<Runnable> posted = new ArrayList<>();
        List<Optional<NodeInfo>> seen = new ArrayList<>();
        RootControlDirectory d = new RootControlDirectory(root, posted::add);

        d.watchRegistration("web", "p5", Duration.ofSeconds(33), seen::add);
        assertEquals(List.of(new RootMessage.RegistrationWatch("web", "p5", 33_000)), root.held);
        assertTrue(posted.isEmpty(), "nothing to tell before the root answers");

        NodeInfo p5 = new NodeInfo("p5", "192.0.2.5", new GeoPoint(48.1, 11.6), List.of(), 7400);
        root.answers.get(0).complete(Optional.of(new RootMessage.RegistrationSeen("web", "p5", Optional.of(p5), "")));
        assertEquals(1, posted.size(), "the answer goes to the self-organization thread");
        assertTrue(seen.isEmpty(), "and runs there, not on the client's thread");
        posted.get(0).run();
        assertEquals(List.of(Optional.of(p5)), seen);
    }

    @Test
    void aWatchThatFailsOrRunsOutTellsNoNode() {
        HeldRoot root = new HeldRoot();
        List<Runnable> posted = new ArrayList<>();
        List<Optional<NodeInfo>> seen = new ArrayList<>();
        RootControlDirectory d = new RootControlDirectory(root, posted::add);
        d.watchRegistration("web", "p5", Duration.ofSeconds(33), seen::add);
        d.watchRegistration("web", "p6", Duration.ofSeconds(33), seen::add);
        d.watchRegistration("web", "p7", Duration.ofMinutes(5), seen::add);

        root.answers.get(0).completeExceptionally(new IllegalStateException("client closed"));
        root.answers.get(1).complete(Optional.of(RootMessage.RegistrationSeen.notHeld("web", "p6", "full")));
        root.answers.get(2).complete(Optional.empty());
        posted.forEach(Runnable::run);
        assertEquals(List.of(Optional.empty(), Optional.empty(), Optional.empty()), seen);
        assertEquals(RootMessage.RegistrationWatch.MAX_HOLD_MILLIS, ((RootMessage.RegistrationWatch) root.held.get(2)).holdMillis(),
                "a hold longer than the root allows is cut to its limit");
    }

    @Test
    void withoutAPlaceToPostAnswersNoWatchIsSent() {
        HeldRoot root = new HeldRoot();
        new RootControlDirectory(root).watchRegistration("web", "p5", Duration.ofSeconds(33), node -> fail("no watch"));
        assertTrue(root.held.isEmpty());
    }

    @Test
    void aRehearsedWatchRunsTheAnswerPathAndSeesTheNodeItWasGiven() {
        NodeInfo node = new NodeInfo("p7", "10.0.0.7", new GeoPoint(48.1, 11.6), List.of(), 7400);
        assertEquals(Optional.of(node), RootControlDirectory.rehearse(node));
    }
}
