package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;

/** The error replies of the control use cases (codes as documented on {@code RootMessage.ErrorReply}). */
public final class ControlErrors {
    public static final String INVALID = "INVALID";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String CONFLICT = "CONFLICT";
    public static final String UNSUPPORTED = "UNSUPPORTED";
    /** Over a configured limit or quota (see {@link ControlLimits}). */
    public static final String LIMIT = "LIMIT";
    public static final String INTERNAL = "INTERNAL";
    /** A GeoIP reload was refused: a database could not be opened; the ones in use stay. */
    public static final String RELOAD_REFUSED = "RELOAD_REFUSED";

    private ControlErrors() {
    }

    public static ErrorReply noTree(String service) {
        return new ErrorReply(NOT_FOUND, "no tree for service '" + service + "'");
    }

    public static ErrorReply noNode(String service, String nodeId) {
        return new ErrorReply(NOT_FOUND, "no node '" + nodeId + "' in the tree of '" + service + "'");
    }

    /**
     * Waits for a queued request's reply (a {@code RootControl.handleLater} stage): the reply, or
     * INTERNAL when the wait is interrupted or the stage failed.
     */
    public static RootMessage awaitReply(java.util.concurrent.CompletionStage<RootMessage> reply) {
        try {
            return reply.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ErrorReply(INTERNAL, "interrupted while waiting for the commit");
        } catch (java.util.concurrent.ExecutionException e) {
            return new ErrorReply(INTERNAL, String.valueOf(e.getCause()));
        }
    }

    /** NOT_FOUND for a node that is not there, naming what is missing: the node, or its whole tree. */
    public static ErrorReply missing(dev.tendril.root.application.port.out.TopologyRepository repository,
                                     String service, String nodeId) {
        return repository.treeExists(service) ? noNode(service, nodeId) : noTree(service);
    }
}
