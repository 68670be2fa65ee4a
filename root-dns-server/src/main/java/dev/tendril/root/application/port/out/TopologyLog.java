package dev.tendril.root.application.port.out;

import dev.tendril.protocol.message.RootMessage;

import java.util.concurrent.CompletableFuture;

/**
 * Port: the log of topology changes. A command is a root control request that changes the
 * topology (register, sign off, node state, re-parent, create tree, record migration); the
 * log makes it durable, hands it to the one applier, and completes with the applier's reply.
 *
 * <ul>
 *   <li>A single root: the log is the SQLite transaction of the group committer; the future
 *       completes once the change is committed there (today's path).</li>
 *   <li>A replicated group: the log is the Raft log; the future completes once the entry is
 *       committed on a majority and applied here. A root that is not the leader completes
 *       with an {@code ErrorReply} {@code NOT_LEADER} naming the leader's control endpoint.</li>
 * </ul>
 *
 * The future never completes exceptionally for an expected outcome: refusals are replies.
 */
public interface TopologyLog {
    CompletableFuture<RootMessage> append(RootMessage command);
}
