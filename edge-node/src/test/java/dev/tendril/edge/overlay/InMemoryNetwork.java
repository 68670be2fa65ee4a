package dev.tendril.edge.overlay;

import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Wires the overlays of many nodes together in one process; a node that is "down" never answers. */
public final class InMemoryNetwork implements OverlayLink {
    private final Map<String, Overlay> nodes = new ConcurrentHashMap<>();
    private final Set<String> down = ConcurrentHashMap.newKeySet();

    public void attach(String nodeId, Overlay overlay) {
        nodes.put(nodeId, overlay);
        down.remove(nodeId);
    }

    void kill(String nodeId) {
        down.add(nodeId);
    }

    @Override
    public Optional<Message> send(NodeInfo peer, OverlayMessage message, Duration timeout, int attempts) {
        Overlay o = nodes.get(peer.nodeId());
        if (o == null || down.contains(peer.nodeId())) {
            return Optional.empty();
        }
        return Optional.of(o.handle(message));
    }
}
