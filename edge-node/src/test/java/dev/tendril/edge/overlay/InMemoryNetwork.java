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

    private double loss;
    private java.util.random.RandomGenerator random = new java.util.Random(1);

    /** Each request and each reply is lost with probability {@code loss} (seeded), per try. */
    public synchronized void lossy(double loss, long seed) {
        this.loss = loss;
        this.random = new java.util.Random(seed);
    }

    private synchronized boolean lost() {
        return loss > 0 && random.nextDouble() < loss;
    }

    @Override
    public Optional<Message> send(NodeInfo peer, OverlayMessage message, Duration timeout, int attempts) {
        Overlay o = nodes.get(peer.nodeId());
        if (o == null || down.contains(peer.nodeId())) {
            return Optional.empty();
        }
        for (int i = 0; i < attempts; i++) {
            if (lost()) {
                continue; // the request is lost: the try times out
            }
            Message reply = o.handle(message); // handled (handlers are idempotent, as retries with one id are deduped)
            if (!lost()) {
                return Optional.of(reply);
            }
        }
        return Optional.empty();
    }
}
