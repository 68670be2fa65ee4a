package dev.tendril.edge.selforg.domain;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.text.Decimals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Users with bad QoE that are near each other. The score grows by the number of members
 * that are still bad in each assessment round; a cluster whose score reaches the threshold
 * is acted upon (migration search, then replication). While an action runs the cluster is
 * busy and does not trigger another one; after a failed action it backs off (the wait
 * doubles with each failure), so a cluster nothing can help does not flood the tree.
 */
public final class UserCluster {
    private final String id;
    private final Map<String, LocatedUser> members = new LinkedHashMap<>();
    private double score;
    private boolean busy;
    private int failures;
    private java.time.Instant notBefore = java.time.Instant.MIN;

    UserCluster(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public List<LocatedUser> members() {
        return List.copyOf(members.values());
    }

    public List<String> clients() {
        return new ArrayList<>(members.keySet());
    }

    public int size() {
        return members.size();
    }

    public double score() {
        return score;
    }

    public boolean busy() {
        return busy;
    }

    public void busy(boolean value) {
        busy = value;
    }

    /** After a failed action: the cluster has to earn its score again, and waits {@code base × 2^failures} (at most {@code max}). */
    public void backOff(java.time.Instant now, java.time.Duration base, java.time.Duration max) {
        busy = false;
        score = 0;
        java.time.Duration wait = base.multipliedBy(1L << Math.min(failures, 20));
        notBefore = now.plus(wait.compareTo(max) > 0 ? max : wait);
        failures++;
    }

    public boolean waiting(java.time.Instant now) {
        return now.isBefore(notBefore);
    }

    public GeoPoint centroid() {
        return GeoMean.of(members.values().stream().map(LocatedUser::position).toList());
    }

    void put(LocatedUser u) {
        members.put(u.address(), u);
    }

    boolean has(String address) {
        return members.containsKey(address);
    }

    void removeAll(java.util.Set<String> addresses) {
        members.keySet().removeAll(addresses);
    }

    void retain(java.util.Set<String> stillBad) {
        members.keySet().retainAll(stillBad);
    }

    void addScore(double delta) {
        score += delta;
    }

    /** "c2: 3 users around (48.1,11.6), score 3.0, medians 120.5/98.0/101.2 ms". */
    public String describe() {
        StringBuilder medians = new StringBuilder();
        for (LocatedUser u : members.values()) {
            if (medians.length() > 0) {
                medians.append('/');
            }
            medians.append(Decimals.fixed(u.medianMs(), 1));
        }
        return id + ": " + members.size() + " users around " + centroid() + ", score " + Decimals.fixed(score, 1) + ", medians "
                + medians + " ms";
    }
}
