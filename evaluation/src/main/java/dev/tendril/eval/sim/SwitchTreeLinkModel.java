package dev.tendril.eval.sim;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The thesis' emulated networks: a binary tree of switches (switch 0 on top, children of
 * switch i are 2i+1 and 2i+2), every host (platform, user, the root) on one switch, every
 * link (switch-switch and host-switch) with the same one-way delay. The delay between two
 * hosts is (switch hops between their switches + 2 access links) × link delay.
 */
public final class SwitchTreeLinkModel implements LinkModel {
    private final int switches;
    private final Duration perLink;
    private final Map<String, Integer> attachedTo = new HashMap<>();

    public SwitchTreeLinkModel(int depth, Duration perLink) {
        if (depth < 1 || depth > 20) {
            throw new IllegalArgumentException("depth must be in [1, 20], got " + depth);
        }
        this.switches = (1 << depth) - 1;
        this.perLink = perLink;
    }

    public int switches() {
        return switches;
    }

    public void attach(String host, int switchIndex) {
        if (switchIndex < 0 || switchIndex >= switches) {
            throw new IllegalArgumentException("switch " + switchIndex + " outside [0, " + switches + ")");
        }
        attachedTo.put(host, switchIndex);
    }

    public int switchOf(String host) {
        Integer s = attachedTo.get(host);
        if (s == null) {
            throw new IllegalArgumentException("host " + host + " is on no switch");
        }
        return s;
    }

    /** Depth of a switch (0 for the top). */
    public static int depth(int s) {
        return 31 - Integer.numberOfLeadingZeros(s + 1);
    }

    /** Switch-to-switch hops in the tree. */
    public static int hops(int a, int b) {
        int h = 0;
        while (a != b) {
            if (depth(a) >= depth(b)) {
                a = (a - 1) / 2;
            } else {
                b = (b - 1) / 2;
            }
            h++;
        }
        return h;
    }

    /** Links on the path between two hosts. */
    public int links(String from, String to) {
        return from.equals(to) ? 0 : hops(switchOf(from), switchOf(to)) + 2;
    }

    @Override
    public Duration oneWay(String from, String to) {
        return perLink.multipliedBy(links(from, to));
    }
}
