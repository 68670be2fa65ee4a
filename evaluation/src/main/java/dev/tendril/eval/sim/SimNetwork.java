package dev.tendril.eval.sim;

import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.SelfOrgMessage;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Delivers self-organization messages between node agents with the delay of the link model,
 * sent at the sender's clock reading (so after the sender's processing). Replies that are
 * self-organization messages travel back the same way; acks are not simulated (the real
 * transport sends one per request, on the same connection). Counts every message by type.
 */
public final class SimNetwork {
    private final EventQueue queue;
    private final LinkModel links;
    private final Map<String, NodeAgent> agents = new HashMap<>();
    private final Map<String, Long> sentByType = new TreeMap<>();
    private long sent;
    private long lost;

    public SimNetwork(EventQueue queue, LinkModel links) {
        this.queue = queue;
        this.links = links;
    }

    public void join(String nodeId, NodeAgent agent) {
        agents.put(nodeId, agent);
    }

    public void leave(String nodeId) {
        agents.remove(nodeId);
    }

    public void send(String from, String to, SelfOrgMessage m) {
        sent++;
        sentByType.merge(m.getClass().getSimpleName(), 1L, Long::sum);
        queue.after(links.oneWay(from, to), () -> deliver(from, to, m));
    }

    private void deliver(String from, String to, SelfOrgMessage m) {
        NodeAgent target = agents.get(to);
        if (target == null) {
            lost++;
            return;
        }
        Message reply = target.onMessage(from, m);
        if (reply instanceof SelfOrgMessage r) {
            send(to, from, r);
        }
    }

    /** Messages sent so far (requests and self-organization replies). */
    public long sent() {
        return sent;
    }

    public Map<String, Long> sentByType() {
        return new TreeMap<>(sentByType);
    }

    public long lost() {
        return lost;
    }
}
