package dev.tendril.root.application.security;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.protocol.transport.Caller;

import java.util.Optional;

/**
 * What an authenticated caller may ask the root: a node speaks only for itself. One rule per
 * request; a request without a rule (the read-only queries) is open to every enrolled caller.
 * Operators may ask everything (tendrilctl, the demo's registration); reloading the root's
 * configuration and changing the group of roots are theirs alone. Without CURVE (the
 * {@code local} preset on loopback) nothing is refused.
 */
public final class ControlPolicy {

    /** The parent of a node in a service's tree, "" for a top node, empty when the node is unknown. */
    @FunctionalInterface
    public interface Parents {
        Optional<String> parentOf(String service, String nodeId);
    }

    /**
     * Whether a node is in a service's tree, answered from memory: the control endpoint asks it
     * on its socket's thread, which must never wait for the store (the root answers it from the
     * DNS directory, which holds every node of every tree, up or down, once its change is
     * committed).
     */
    @FunctionalInterface
    public interface Members {
        boolean contains(String service, String nodeId);
    }

    /** A policy of a root that knows no nodes (in clear, where it refuses nothing anyway, and tests). */
    public static final ControlPolicy NO_NODES = new ControlPolicy((service, nodeId) -> Optional.empty(), (service, nodeId) -> false);

    private final Parents parents;
    private final Members members;

    /**
     * @param parents a node's parent, for a parent that reports its child's state (may read the store)
     * @param members whether a node is in a tree, from memory (see {@link Members})
     */
    public ControlPolicy(Parents parents, Members members) {
        this.parents = parents;
        this.members = members;
    }

    /** Empty when allowed; otherwise why it is refused. */
    public Optional<String> refusal(Caller caller, RootMessage request) {
        if (caller.isClear() || caller.isOperator()) {
            return Optional.empty();
        }
        if (caller.role() != Caller.Role.PLATFORM) {
            return Optional.of("only enrolled platforms and operators may use the root");
        }
        if (request instanceof RootMessage.RootReload || request instanceof RootMessage.ChangeRoots) {
            return Optional.of("only operators may " + (request instanceof RootMessage.RootReload
                    ? "reload the root's configuration" : "change the group of roots") + "; platform " + caller.name() + " may not");
        }
        if (request instanceof RegisterNode r) {
            return self(caller, r.node().nodeId(), "register");
        } else if (request instanceof CreateTree r) {
            return self(caller, r.node().nodeId(), "create a tree as");
        } else if (request instanceof SignOff r) {
            return self(caller, r.nodeId(), "sign off");
        } else if (request instanceof ConditionalSignOff r) {
            return self(caller, r.nodeId(), "sign off");
        } else if (request instanceof OrphanReport r) {
            return self(caller, r.nodeId(), "report an orphan as");
        } else if (request instanceof NodeState r) {
            return nodeState(caller, r);
        } else if (request instanceof RecordMigration r) {
            return members.contains(r.service(), caller.name()) ? Optional.empty()
                    : Optional.of("platform " + caller.name() + " is not in the tree of " + r.service()
                    + " and may not record its migrations");
        }
        return Optional.empty();
    }

    /**
     * Whether the rule for {@code request} above may ask the store ({@link Parents}) rather than
     * read only the caller, the request and {@link Members}: a node's state (its parent may report
     * it). The control endpoint checks these off its socket's thread (ControlPolicyTest ties this
     * to the rules). A migration's record asks only whether its caller is in the tree, from
     * memory, since 2026-12-06: its check on a handler thread, with a store read that waited for
     * the writer, cost 0.5-1 ms of a migration at the root (topology D trace).
     */
    public static boolean readsStore(RootMessage request) {
        return request instanceof NodeState;
    }

    private static Optional<String> self(Caller caller, String nodeId, String what) {
        return caller.isPlatform(nodeId) ? Optional.empty()
                : Optional.of("platform " + caller.name() + " may not " + what + " node " + nodeId);
    }

    /** A node reports its own state; its parent may report it dead (a silent child). */
    private Optional<String> nodeState(Caller caller, NodeState r) {
        if (caller.isPlatform(r.nodeId())) {
            return Optional.empty();
        }
        if (!r.live() && parents.parentOf(r.service(), r.nodeId()).filter(caller.name()::equals).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("platform " + caller.name() + " may not report the state of node " + r.nodeId()
                + (r.live() ? "" : " (only its parent may report it dead)"));
    }
}
