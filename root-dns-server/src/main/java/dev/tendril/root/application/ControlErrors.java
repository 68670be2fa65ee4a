package dev.tendril.root.application;

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

    /** NOT_FOUND for a node that is not there, naming what is missing: the node, or its whole tree. */
    public static ErrorReply missing(dev.tendril.root.application.port.out.TopologyRepository repository,
                                     String service, String nodeId) {
        return repository.treeExists(service) ? noNode(service, nodeId) : noTree(service);
    }
}
