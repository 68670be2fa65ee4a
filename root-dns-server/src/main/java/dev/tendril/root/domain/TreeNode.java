package dev.tendril.root.domain;

import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.message.NodeInfo;

import java.util.Objects;

/**
 * One node of a service tree as the root stores it.
 *
 * @param service            the tree (a DNS label)
 * @param info               the instance: id, address, position, ports, overlay port
 * @param parentId           the assigned parent's node id, or "" for a top node
 * @param live               whether DNS may answer this instance
 * @param registeredAtMillis when the node (last) registered, epoch milliseconds
 */
public record TreeNode(String service, NodeInfo info, String parentId, boolean live, long registeredAtMillis) {
    public static final String NO_PARENT = "";

    public TreeNode {
        Names.requireDnsLabel("service", service);
        Objects.requireNonNull(info, "info");
        parentId = parentId == null ? NO_PARENT : parentId;
        if (!parentId.isEmpty()) {
            Names.requireDnsLabel("parent id", parentId);
        }
        if (parentId.equals(info.nodeId())) {
            throw new IllegalArgumentException("node '" + info.nodeId() + "' cannot be its own parent");
        }
    }

    public String nodeId() {
        return info.nodeId();
    }

    public boolean isTop() {
        return parentId.isEmpty();
    }

    public TreeNode withParent(String newParentId) {
        return new TreeNode(service, info, newParentId, live, registeredAtMillis);
    }

    public TreeNode withLive(boolean newLive) {
        return new TreeNode(service, info, parentId, newLive, registeredAtMillis);
    }
}
