package dev.tendril.edge.deployment;

import java.util.Objects;

/**
 * An instance a runtime knows about (a Tendril-labelled container or a recorded process).
 *
 * @param id       the runtime's id (container id, or "pid-&lt;pid&gt;")
 * @param nodeId   the node that owns it (label)
 * @param service  the service it runs (label)
 * @param running  whether it runs now
 * @param specText the spec it was started from ("" when the label is missing)
 */
public record Instance(String id, String nodeId, String service, String image, boolean running, String specText) {
    public Instance {
        Objects.requireNonNull(id, "id");
        nodeId = nodeId == null ? "" : nodeId;
        service = service == null ? "" : service;
        image = image == null ? "" : image;
        specText = specText == null ? "" : specText;
    }
}
