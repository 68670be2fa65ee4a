package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Log entries of one command (the old form) and of several (the leader's group commit), and their replies. */
class CommandCodecTest {
    private static RecordMigration migration(int i) {
        return new RecordMigration("web", List.of("10.0." + i + ".0/24"), "tokyo", 60_000);
    }

    @Test
    void anEntryOfOneCommandIsTheSingleFrameItAlwaysWas() {
        ByteString single = CommandCodec.command(migration(1), 1_234, "r1", new MessageId(0, 7)).getContent();
        assertEquals(single, CommandCodec.commands(List.of(migration(1)), 1_234, "r1", 7).getContent());
        CommandCodec.Commands c = CommandCodec.commands(single);
        assertEquals(List.of(migration(1)), c.requests());
        assertEquals(1_234, c.atMillis());
        assertEquals("r1", c.proposer());
        assertEquals(migration(1), CommandCodec.command(single).request());
    }

    @Test
    void anEntryOfSeveralCommandsKeepsTheirOrderAndOneTime() {
        List<RootMessage> requests = List.of(migration(1), migration(2), migration(3));
        ByteString batch = CommandCodec.commands(requests, 5_000, "r2", 9).getContent();
        assertEquals(CommandCodec.BATCH, batch.byteAt(0) & 0xff);
        CommandCodec.Commands c = CommandCodec.commands(batch);
        assertEquals(requests, c.requests());
        assertEquals(5_000, c.atMillis());
        assertEquals("r2", c.proposer());
        assertNull(CommandCodec.command(batch), "not an entry of one command");
    }

    @Test
    void repliesOfAnEntryComeBackInOrder() {
        List<RootMessage> replies = List.of(new Ack(), new ErrorReply("NOT_FOUND", "no node x"), new Ack());
        assertEquals(replies, CommandCodec.replies(CommandCodec.replies(replies, "r1")));
        assertEquals(new Ack(), CommandCodec.reply(CommandCodec.replies(List.of(new Ack()), "r1")));
    }

    @Test
    void damagedBatchesAreNotCommands() {
        byte[] good = CommandCodec.commands(List.of(migration(1), migration(2)), 1, "r1", 1).getContent().toByteArray();
        assertNull(CommandCodec.commands(ByteString.copyFrom(good, 0, good.length - 1)), "truncated");
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertNull(CommandCodec.commands(ByteString.copyFrom(longer)), "trailing bytes");
        byte[] huge = good.clone();
        huge[1] = 0x7f; // count far beyond the bytes there
        assertNull(CommandCodec.commands(ByteString.copyFrom(huge)));
        assertNull(CommandCodec.commands(ByteString.copyFrom(new byte[] {(byte) CommandCodec.BATCH})));
        assertNull(CommandCodec.commands(ByteString.EMPTY));
    }

    @Test
    void aCommitNoticeIsAnEntryOfNoCommandsWithNoReplies() {
        ByteString notice = CommandCodec.commands(List.of(), 1, "r1", 9).getContent();
        assertEquals(5, notice.size(), "the batch byte and a count of 0");
        assertEquals(List.of(), CommandCodec.commands(notice).requests());
        assertEquals(List.of(), CommandCodec.replies(CommandCodec.replies(List.of(), "r1")));
        assertNull(CommandCodec.command(notice), "not an entry of one command");
        byte[] negative = notice.toByteArray();
        negative[1] = (byte) 0xff; // count -1 (big-endian int 0xff000000)
        assertNull(CommandCodec.commands(ByteString.copyFrom(negative)));
        byte[] trailing = java.util.Arrays.copyOf(notice.toByteArray(), 6);
        assertNull(CommandCodec.commands(ByteString.copyFrom(trailing)), "a count of 0 with bytes after it");
    }
}
