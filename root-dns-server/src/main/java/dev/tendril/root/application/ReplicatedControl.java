package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ChangeRoots;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.RootsQuery;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.root.application.port.in.RootControl;
import dev.tendril.root.application.port.out.GroupMembership;
import dev.tendril.root.application.port.out.TopologyLog;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The control port of a root in a replicated group: a request that changes the topology is a
 * command of the {@link TopologyLog} (the leader commits it on a majority; a follower answers
 * NOT_LEADER); a query (hosted set, tree, migrations, resolve) is answered from this root's
 * own applied copy by the local writer, and never waits for the leader. The group's own
 * membership ({@code RootsQuery}, {@code ChangeRoots}) is asked of the {@link GroupMembership}.
 */
public final class ReplicatedControl implements RootControl {
    private final TopologyLog log;
    private final RootControl local;
    private final GroupMembership group;

    /**
     * @param log   where changes go
     * @param local answers queries from this root's store (the applier's writer)
     * @param group the roots' group
     */
    public ReplicatedControl(TopologyLog log, RootControl local, GroupMembership group) {
        this.log = log;
        this.local = local;
        this.group = group;
    }

    /** Whether the request changes the topology (and so is a log command). Append new change requests here. */
    public static boolean isChange(RootMessage request) {
        return request instanceof CreateTree || request instanceof RegisterNode || request instanceof SignOff
                || request instanceof ConditionalSignOff || request instanceof OrphanReport || request instanceof NodeState
                || request instanceof RecordMigration || request instanceof RootMessage.EnrolKey
                || request instanceof RootMessage.RevokeKey;
    }

    @Override
    public RootMessage handle(RootMessage request) {
        return ControlErrors.awaitReply(handleLater(request));
    }

    /** Queries go to the local writer's queue, changes to the log's batcher; neither waits. */
    @Override
    public boolean handsOnWithoutWaiting() {
        return local.handsOnWithoutWaiting();
    }

    /**
     * Queries and changes complete when the local writer answered or the log committed, on
     * their threads; only the group's own membership requests are answered on the calling one.
     */
    @Override
    public CompletionStage<RootMessage> handleLater(RootMessage request) {
        if (request instanceof RootsQuery) {
            return CompletableFuture.completedFuture(group.status());
        }
        if (request instanceof ChangeRoots r) {
            return CompletableFuture.completedFuture(group.change(r));
        }
        if (!isChange(request)) {
            return local.handleLater(request);
        }
        return log.append(request).exceptionally(e -> new ErrorReply(ControlErrors.INTERNAL,
                String.valueOf(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e)));
    }
}
