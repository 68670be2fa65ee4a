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

    private final Parents parents;

    public ControlPolicy(Parents parents) {
        this.parents = parents;
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
            return parents.parentOf(r.service(), caller.name()).isPresent() ? Optional.empty()
                    : Optional.of("platform " + caller.name() + " is not in the tree of " + r.service()
                    + " and may not record its migrations");
        }
        return Optional.empty();
    }

    /**
     * Whether the rule for {@code request} above may ask the store ({@link Parents}) rather than
     * read only the caller and the request: a migration's record and a node's state. The control
     * endpoint checks these off its socket's thread (ControlPolicyTest ties this to the rules).
     */
    public static boolean readsStore(RootMessage request) {
        return request instanceof RecordMigration || request instanceof NodeState;
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
