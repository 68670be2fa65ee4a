package dev.tendril.edge.selforg.adapter.in.loop;

import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationNotFound;
import dev.tendril.protocol.message.SelfOrgMessage.Replicate;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelfOrgInboxTest {
    /** The self-organization thread, run by hand: tasks wait until the test runs them. */
    private final Queue<Runnable> loop = new ArrayDeque<>();
    private final List<String> handled = new ArrayList<>();

    private Message agent(String from, SelfOrgMessage m) {
        handled.add(from + ":" + m.type());
        if (m instanceof Replicate r) {
            return new ReplicateReply(r.service(), r.requestId(), ReplicateReply.ACCEPTED, "deploying", Optional.empty());
        }
        return new RootMessage.Ack();
    }

    private static Envelope from(String node, int seq, Message body) {
        return new Envelope(new MessageId(1, seq), "web", node, 0L, body);
    }

    private static MigrationNotFound notFound(String id) {
        return new MigrationNotFound("web", id, "p2", "nothing in reach", 1);
    }

    private void runLoop() {
        while (!loop.isEmpty()) {
            loop.poll().run();
        }
    }

    @Test
    void aMessageWhoseReplyIsAnAckIsAnsweredAtOnceAndHandledInOrderOnTheLoop() {
        SelfOrgInbox inbox = new SelfOrgInbox("p1", loop::add, this::agent, 10, Duration.ofSeconds(2));

        Message first = inbox.receive(from("p2", 1, notFound("mig-1")));
        Message second = inbox.receive(from("p3", 2, notFound("mig-2")));

        assertInstanceOf(RootMessage.Ack.class, first);
        assertInstanceOf(RootMessage.Ack.class, second);
        assertTrue(handled.isEmpty(), "answered before the loop ran it");
        assertEquals(2, inbox.queued());
        runLoop();
        assertEquals(List.of("p2:MIGRATION_NOT_FOUND", "p3:MIGRATION_NOT_FOUND"), handled);
        assertEquals(0, inbox.queued());
    }

    @Test
    void aReplicateWaitsForTheAgentsReply() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            SelfOrgInbox inbox = new SelfOrgInbox("p1", thread::execute, this::agent, 10, Duration.ofSeconds(5));
            NodeInfo origin = new NodeInfo("p2", "10.0.0.2", new GeoPoint(52.5, 13.4), List.of(), 7400);

            Message reply = inbox.receive(from("p2", 1, new Replicate("web", "rep-1", origin, "service: web")));

            ReplicateReply r = assertInstanceOf(ReplicateReply.class, reply);
            assertEquals("rep-1", r.requestId());
            assertEquals(ReplicateReply.ACCEPTED, r.status());
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void aReplicateReceivedLaterIsNotWaitedForItsReplyCompletesWhenTheLoopRunsIt() {
        SelfOrgInbox inbox = new SelfOrgInbox("p1", loop::add, this::agent, 10, Duration.ofSeconds(5));
        NodeInfo origin = new NodeInfo("p2", "10.0.0.2", new GeoPoint(52.5, 13.4), List.of(), 7400);

        java.util.concurrent.CompletableFuture<Message> reply = inbox.receiveLater(
                from("p2", 1, new Replicate("web", "rep-1", origin, "service: web"))).toCompletableFuture();

        assertTrue(!reply.isDone() && handled.isEmpty(), "returned before the loop ran it");
        runLoop();
        ReplicateReply r = assertInstanceOf(ReplicateReply.class, reply.getNow(null));
        assertEquals("rep-1", r.requestId());
        assertEquals(0, inbox.timedOut());
    }

    @Test
    void aReplicateTheLoopDoesNotRunInTimeIsAnsweredBusyAndCounted() {
        SelfOrgInbox inbox = new SelfOrgInbox("p1", loop::add, this::agent, 10, Duration.ofMillis(20));
        NodeInfo origin = new NodeInfo("p2", "10.0.0.2", new GeoPoint(52.5, 13.4), List.of(), 7400);

        Message reply = inbox.receive(from("p2", 1, new Replicate("web", "rep-1", origin, "service: web")));

        assertEquals("BUSY", assertInstanceOf(RootMessage.ErrorReply.class, reply).code());
        assertEquals(1, inbox.timedOut());
        assertEquals(0, inbox.refused(), "the queue had room");
    }

    @Test
    void aFullQueueRefusesWithBusyAndCountsUntilTheLoopCatchesUp() {
        SelfOrgInbox inbox = new SelfOrgInbox("p1", loop::add, this::agent, 2, Duration.ofSeconds(2));

        inbox.receive(from("p2", 1, notFound("mig-1")));
        inbox.receive(from("p2", 2, notFound("mig-2")));
        Message third = inbox.receive(from("p2", 3, notFound("mig-3")));

        assertEquals("BUSY", assertInstanceOf(RootMessage.ErrorReply.class, third).code());
        assertEquals(1, inbox.refused());
        runLoop();
        assertEquals(2, handled.size(), "the refused message was not queued");
        assertInstanceOf(RootMessage.Ack.class, inbox.receive(from("p2", 3, notFound("mig-3"))), "room again: the retry is taken");
    }

    @Test
    void aStoppedLoopAnswersUnavailableAndAnythingElseIsUnsupported() {
        SelfOrgInbox stopped = new SelfOrgInbox("p1", task -> {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }, this::agent, 2, Duration.ofSeconds(2));

        Message reply = stopped.receive(from("p2", 1, notFound("mig-1")));
        Message other = stopped.receive(from("p2", 2, new RootMessage.Ack()));

        assertEquals("UNAVAILABLE", assertInstanceOf(RootMessage.ErrorReply.class, reply).code());
        assertEquals(0, stopped.queued());
        assertEquals("UNSUPPORTED", assertInstanceOf(RootMessage.ErrorReply.class, other).code());
        assertFalse(handled.contains("p2:ACK"));
        assertEquals(1, stopped.unsupported(), "the UNSUPPORTED refusal is counted");
        assertEquals(0, stopped.refused(), "not as BUSY");
    }

    @Test
    void anUnsupportedMessageIsCountedEachTimeAndLoggedOnceAMinutePerSender() {
        MutableClock clock = new MutableClock();
        ListAppender<ILoggingEvent> logged = lines("test.selforg.unsupported");
        SelfOrgInbox inbox = new SelfOrgInbox("p1", loop::add, this::agent, 10, Duration.ofSeconds(2),
                new LoopFailures("p1", LoggerFactory.getLogger("test.selforg.failures"), clock),
                LoggerFactory.getLogger("test.selforg.unsupported"), clock);

        for (int i = 0; i < 3; i++) {
            inbox.receive(from("p2", i, new RootMessage.Ack()));
        }
        inbox.receive(from("p3", 9, new RootMessage.Ack()));

        assertEquals(4, inbox.unsupported());
        assertEquals(0, inbox.queued(), "nothing reached the loop");
        assertTrue(loop.isEmpty());
        assertEquals(2, logged.list.size(), "one line per sender: " + logged.list);
        assertTrue(logged.list.get(0).getFormattedMessage().contains("unsupported"), logged.list.get(0).getFormattedMessage());
    }

    @Test
    void aMessageWhoseHandlerFailsDoesNotStopTheLoop() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<String> after = new CompletableFuture<>();
            SelfOrgInbox inbox = new SelfOrgInbox("p1", thread::execute, (from, m) -> {
                if (((MigrationNotFound) m).requestId().equals("bad")) {
                    throw new IllegalStateException("broken handler");
                }
                after.complete(((MigrationNotFound) m).requestId());
                return new RootMessage.Ack();
            }, 10, Duration.ofSeconds(2));

            assertInstanceOf(RootMessage.Ack.class, inbox.receive(from("p2", 1, notFound("bad"))));
            inbox.receive(from("p2", 2, notFound("good")));

            assertEquals("good", after.get(5, TimeUnit.SECONDS));
            assertEquals(0, inbox.queued());
        } finally {
            thread.shutdownNow();
        }
    }

    /** The lines written to a fresh logger of its own. */
    private static ListAppender<ILoggingEvent> lines(String name) {
        Logger logger = (Logger) LoggerFactory.getLogger(name);
        logger.setLevel(Level.DEBUG);
        logger.setAdditive(false);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    @Test
    void failingHandlersAreCountedEachAndLoggedOnceAMinutePerSenderAndTypeTheFirstWithItsStackTrace() {
        MutableClock clock = new MutableClock();
        ListAppender<ILoggingEvent> logged = lines("test.selforg.failures");
        LoopFailures failures = new LoopFailures("p1", LoggerFactory.getLogger("test.selforg.failures"), clock);
        SelfOrgInbox inbox = new SelfOrgInbox("p1", loop::add, (from, m) -> {
            throw new IllegalStateException("broken handler for " + m.type());
        }, 100, Duration.ofSeconds(2), failures, LoggerFactory.getLogger("test.selforg.refusals"), clock);
        NodeInfo target = new NodeInfo("p4", "10.0.0.4", new GeoPoint(35.7, 139.7), List.of(), 7400);

        for (int i = 0; i < 5; i++) {
            assertInstanceOf(RootMessage.Ack.class, inbox.receive(from("p2", i, notFound("mig-" + i))));
        }
        inbox.receive(from("p3", 10, notFound("mig-10")));
        inbox.receive(from("p2", 11, new SelfOrgMessage.MigrationOffer("web", "mig-11", target, 120.0, 2)));
        runLoop();

        assertEquals(7, failures.messages(), "every failure counted");
        assertEquals(0, inbox.queued());
        List<String> text = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of("p1: MIGRATION_NOT_FOUND from p2 failed", "p1: MIGRATION_NOT_FOUND from p3 failed",
                "p1: MIGRATION_OFFER from p2 failed"), text, "one line per sender and message type");
        logged.list.forEach(e -> assertEquals(Level.WARN, e.getLevel()));
        assertNotNull(logged.list.get(0).getThrowableProxy(), "the first line keeps the stack trace");
        assertEquals("broken handler for MIGRATION_NOT_FOUND", logged.list.get(0).getThrowableProxy().getMessage());

        clock.advance(Duration.ofMinutes(1));
        inbox.receive(from("p2", 12, notFound("mig-12")));
        runLoop();

        assertEquals(8, failures.messages());
        assertEquals(4, logged.list.size(), "a minute later the sender's failures are logged again");
        ILoggingEvent later = logged.list.get(3);
        assertEquals("p1: MIGRATION_NOT_FOUND from p2 failed: java.lang.IllegalStateException: broken handler for "
                + "MIGRATION_NOT_FOUND (4 more since the last line)", later.getFormattedMessage());
        assertNull(later.getThrowableProxy(), "the stack trace was logged once");
    }
}
