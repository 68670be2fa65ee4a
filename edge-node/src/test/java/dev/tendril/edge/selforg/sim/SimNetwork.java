package dev.tendril.edge.selforg.sim;

import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.SelfOrgMessage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * memberlist's MockNetwork idea for self-organization: delivers messages between node
 * agents in one process with a delay, a seeded drop and duplicate rate, and removed nodes
 * that swallow everything. Replies that are self-organization messages travel back the
 * same way (acks are dropped, as the real messenger does).
 */
public final class SimNetwork {
    /** One delivered message. */
    public record Delivery(Instant at, String from, String to, SelfOrgMessage message) {
    }

    private final SimScheduler scheduler;
    private final Random random;
    private final Map<String, NodeAgent> nodes = new HashMap<>();
    private final Set<String> removed = new HashSet<>();
    private final List<Delivery> delivered = new ArrayList<>();
    private Duration delay = Duration.ofMillis(5);
    private Duration replyDelay = Duration.ZERO;
    private final List<String> prepared = new ArrayList<>();
    private double dropRate;
    private double duplicateRate;
    private long dropped;
    private long lost;

    public SimNetwork(SimScheduler scheduler, long seed) {
        this.scheduler = scheduler;
        this.random = new Random(seed);
    }

    public void join(String nodeId, NodeAgent agent) {
        nodes.put(nodeId, agent);
    }

    /** The node is gone: messages to it are lost from now on. */
    public void remove(String nodeId) {
        removed.add(nodeId);
    }

    public boolean isRemoved(String nodeId) {
        return removed.contains(nodeId);
    }

    public void delay(Duration d) {
        delay = d;
    }

    /** Extra delay of replies (e.g. longer than the requester's reply timeout, so it resends). */
    public void replyDelay(Duration d) {
        replyDelay = d;
    }

    public void dropRate(double rate) {
        dropRate = rate;
    }

    public void duplicateRate(double rate) {
        duplicateRate = rate;
    }

    public List<Delivery> delivered() {
        return List.copyOf(delivered);
    }

    public long dropped() {
        return dropped;
    }

    public long lost() {
        return lost;
    }

    public void send(String from, String to, SelfOrgMessage m) {
        send(from, to, m, Duration.ZERO);
    }

    /** A node's hint that it will message {@code to} (TreeMessenger.prepare): recorded, nothing sent. */
    public void prepare(String from, String to) {
        prepared.add(from + ">" + to);
    }

    /** Every "from>to" hint so far, in order (repeats included). */
    public List<String> prepared() {
        return List.copyOf(prepared);
    }

    private void send(String from, String to, SelfOrgMessage m, Duration extra) {
        if (random.nextDouble() < dropRate) {
            dropped++;
            return;
        }
        int copies = random.nextDouble() < duplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            scheduler.after(delay.multipliedBy(i + 1L).plus(extra), () -> deliver(from, to, m));
        }
    }

    private void deliver(String from, String to, SelfOrgMessage m) {
        NodeAgent target = nodes.get(to);
        if (target == null || removed.contains(to)) {
            lost++;
            return;
        }
        delivered.add(new Delivery(scheduler.now(), from, to, m));
        Message reply = target.onMessage(from, m);
        if (reply instanceof SelfOrgMessage r) {
            send(to, from, r, replyDelay);
        }
    }
}
