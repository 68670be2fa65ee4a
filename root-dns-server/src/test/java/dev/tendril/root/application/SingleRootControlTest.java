package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.application.port.in.RootControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.*;

class SingleRootControlTest {
    private static final RootMessage.RootsStatus STATUS = new RootMessage.RootsStatus("r1", "SINGLE", "r1", 0, -1, -1,
            List.of(new RootMessage.RootMember("r1", "", "127.0.0.1:5390", -1)));

    /** A writer that only queues: each request's stage completes when the test says so. */
    private static final class QueuingWriter implements RootControl {
        final List<RootMessage> queued = new ArrayList<>();
        final List<CompletableFuture<RootMessage>> replies = new ArrayList<>();
        final boolean queuesOnly;

        QueuingWriter(boolean queuesOnly) {
            this.queuesOnly = queuesOnly;
        }

        @Override
        public RootMessage handle(RootMessage request) {
            throw new AssertionError("the single root must not block on the writer: " + request);
        }

        @Override
        public CompletionStage<RootMessage> handleLater(RootMessage request) {
            queued.add(request);
            CompletableFuture<RootMessage> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }

        @Override
        public boolean handsOnWithoutWaiting() {
            return queuesOnly;
        }
    }

    @Test
    void handsOnWithoutWaitingExactlyWhenTheWriterDoes() {
        // the single root's wrapper once kept the interface's default (false): every registration took a handler thread
        assertTrue(new SingleRootControl(new QueuingWriter(true), () -> STATUS).handsOnWithoutWaiting());
        assertFalse(new SingleRootControl(new QueuingWriter(false), () -> STATUS).handsOnWithoutWaiting());
    }

    @Test
    void aChangeIsTheWritersAndCompletesWithItsCommit() {
        QueuingWriter writer = new QueuingWriter(true);
        SingleRootControl control = new SingleRootControl(writer, () -> STATUS);
        RootMessage.SignOff request = new RootMessage.SignOff("web", "n1");

        CompletableFuture<RootMessage> reply = control.handleLater(request).toCompletableFuture();

        assertEquals(List.of(request), writer.queued);
        assertFalse(reply.isDone(), "no reply before the writer commits");
        writer.replies.get(0).complete(new RootMessage.Ack());
        assertEquals(new RootMessage.Ack(), reply.join());
    }

    @Test
    void theRootsQueryIsAnsweredByThisRootWithoutTheWriter() {
        QueuingWriter writer = new QueuingWriter(true);
        SingleRootControl control = new SingleRootControl(writer, () -> STATUS);

        assertEquals(STATUS, control.handleLater(new RootMessage.RootsQuery()).toCompletableFuture().join());
        assertEquals(STATUS, control.handle(new RootMessage.RootsQuery()));
        assertTrue(writer.queued.isEmpty());
    }
}
