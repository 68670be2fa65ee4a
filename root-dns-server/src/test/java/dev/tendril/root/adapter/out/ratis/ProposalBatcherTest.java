package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The leader's group commit: commands that queue while entries are in flight go into one entry. */
class ProposalBatcherTest {
    /** One proposal the test answers by hand. */
    private record Proposal(List<RootMessage> commands, CompletableFuture<List<RootMessage>> replies) {
    }

    private final BlockingQueue<Proposal> proposed = new LinkedBlockingQueue<>();
    /** Commit notices (entries of no commands), kept apart; answered by the test too. */
    private final BlockingQueue<Proposal> notices = new LinkedBlockingQueue<>();
    private ProposalBatcher batcher;

    @AfterEach
    void close() {
        if (batcher != null) {
            batcher.close();
        }
    }

    private ProposalBatcher start(int maxBatch, int inFlight) {
        batcher = new ProposalBatcher("r1", maxBatch, inFlight, commands -> {
            CompletableFuture<List<RootMessage>> f = new CompletableFuture<>();
            (commands.isEmpty() ? notices : proposed).add(new Proposal(commands, f));
            return f;
        }).start();
        return batcher;
    }

    private static RecordMigration m(int i) {
        return new RecordMigration("web", List.of("10.0." + i + ".0/24"), "tokyo", 60_000);
    }

    private Proposal next() throws InterruptedException {
        Proposal p = proposed.poll(10, TimeUnit.SECONDS);
        assertNotNull(p, "a proposal within 10 s");
        return p;
    }

    private static List<RootMessage> acks(int n, String tag) {
        List<RootMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ErrorReply("TAG", tag + i));
        }
        return out;
    }

    @Test
    void commandsQueuedWhileTheOnlySlotIsTakenGoIntoOneEntryAndGetTheirOwnReplies() throws Exception {
        ProposalBatcher b = start(100, 1);
        CompletableFuture<RootMessage> first = b.offer(m(0));
        Proposal p1 = next();
        assertEquals(List.of(m(0)), p1.commands());
        List<CompletableFuture<RootMessage>> later = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            later.add(b.offer(m(i)));
        }
        assertNull(proposed.poll(100, TimeUnit.MILLISECONDS), "nothing more is proposed while the slot is taken");
        p1.replies().complete(List.of(new Ack()));
        assertEquals(new Ack(), first.get(10, TimeUnit.SECONDS));

        Proposal p2 = next();
        assertEquals(List.of(m(1), m(2), m(3), m(4), m(5)), p2.commands());
        p2.replies().complete(acks(5, "r"));
        for (int i = 0; i < 5; i++) {
            assertEquals(new ErrorReply("TAG", "r" + i), later.get(i).get(10, TimeUnit.SECONDS));
        }
        assertEquals(2, b.entries());
        assertEquals(6, b.commands());
    }

    @Test
    void anEntryHoldsAtMostMaxBatchCommands() throws Exception {
        ProposalBatcher b = start(2, 1);
        b.offer(m(0));
        Proposal p1 = next();
        for (int i = 1; i <= 3; i++) {
            b.offer(m(i));
        }
        p1.replies().complete(List.of(new Ack()));
        Proposal p2 = next();
        assertEquals(List.of(m(1), m(2)), p2.commands());
        p2.replies().complete(acks(2, "x"));
        assertEquals(List.of(m(3)), next().commands());
    }

    @Test
    void aFailedProposalOrAWrongNumberOfRepliesAnswersEachCommandInternal() throws Exception {
        ProposalBatcher b = start(10, 2);
        CompletableFuture<RootMessage> a = b.offer(m(0));
        next().replies().completeExceptionally(new IllegalStateException("log closed"));
        assertEquals("INTERNAL", ((ErrorReply) a.get(10, TimeUnit.SECONDS)).code());

        CompletableFuture<RootMessage> c = b.offer(m(1));
        next().replies().complete(List.of(new Ack(), new Ack()));
        assertEquals("INTERNAL", ((ErrorReply) c.get(10, TimeUnit.SECONDS)).code());
    }

    @Test
    void afterCloseCommandsAreRefused() throws Exception {
        ProposalBatcher b = start(10, 1);
        b.close();
        assertEquals("INTERNAL", ((ErrorReply) b.offer(m(0)).get(10, TimeUnit.SECONDS)).code());
    }

    @Test
    void aCommitThatLeavesNothingQueuedOrInFlightIsFollowedByOneCommitNotice() throws Exception {
        ProposalBatcher b = start(100, 2);
        CompletableFuture<RootMessage> first = b.offer(m(0));
        CompletableFuture<RootMessage> second = b.offer(m(1));
        Proposal p1 = next();
        Proposal p2 = p1.commands().size() == 2 ? p1 : next(); // one entry or two, as the thread drained them
        p1.replies().complete(acks(p1.commands().size(), "a"));
        if (p2 != p1) {
            assertNull(notices.poll(200, TimeUnit.MILLISECONDS), "no notice while another entry is in flight");
            p2.replies().complete(acks(1, "b"));
        }
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        Proposal notice = notices.poll(10, TimeUnit.SECONDS);
        assertNotNull(notice, "the last commit before the batcher fell idle is followed by a notice");
        assertEquals(List.of(), notice.commands());
        assertNull(notices.poll(200, TimeUnit.MILLISECONDS), "one notice, and none for the notice itself");
        assertEquals(1, b.notices());

        // the notice holds a slot until it is answered; a command meanwhile still goes out
        CompletableFuture<RootMessage> third = b.offer(m(2));
        Proposal p3 = next();
        notice.replies().complete(List.of());
        p3.replies().complete(List.of(new Ack()));
        assertEquals(new Ack(), third.get(10, TimeUnit.SECONDS));
        assertNotNull(notices.poll(10, TimeUnit.SECONDS), "idle again: another notice");
        assertEquals(2, b.notices());
    }

    @Test
    void aFailedEntryIsFollowedByNoNotice() throws Exception {
        ProposalBatcher b = start(100, 1);
        CompletableFuture<RootMessage> first = b.offer(m(0));
        next().replies().completeExceptionally(new IllegalStateException("not leader any more"));
        assertInstanceOf(ErrorReply.class, first.get(10, TimeUnit.SECONDS));
        assertNull(notices.poll(300, TimeUnit.MILLISECONDS));
        assertEquals(0, b.notices());
    }
}
