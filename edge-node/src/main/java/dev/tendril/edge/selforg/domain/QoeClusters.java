package dev.tendril.edge.selforg.domain;

import dev.tendril.protocol.geo.GeoPoint;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bad-QoE clusters of one hosted service. Each round, {@link #observe} takes the users
 * whose median latency is above the spec's maximum: users that are no longer bad leave
 * their cluster (empty clusters go), a new bad user joins the nearest cluster whose
 * centroid lies within the radius (or starts one), and every cluster's score grows by its
 * number of members. Plain Java, not thread-safe.
 */
public final class QoeClusters {
    private final double radiusKm;
    private final Map<String, UserCluster> clusters = new LinkedHashMap<>();
    private long next;

    public QoeClusters(double radiusKm) {
        this.radiusKm = radiusKm;
    }

    public void observe(List<LocatedUser> bad) {
        Set<String> stillBad = new HashSet<>();
        for (LocatedUser u : bad) {
            stillBad.add(u.address());
        }
        for (Iterator<UserCluster> it = clusters.values().iterator(); it.hasNext(); ) {
            UserCluster c = it.next();
            c.retain(stillBad);
            if (c.size() == 0 && !c.busy()) {
                it.remove();
            }
        }
        for (LocatedUser u : bad) {
            Optional<UserCluster> member = clusters.values().stream().filter(c -> c.has(u.address())).findFirst();
            if (member.isPresent()) {
                member.get().put(u); // fresher median
                continue;
            }
            UserCluster nearest = null;
            double best = radiusKm;
            for (UserCluster c : clusters.values()) {
                if (c.size() == 0) {
                    continue;
                }
                double d = c.centroid().distanceKm(u.position());
                if (d <= best) {
                    best = d;
                    nearest = c;
                }
            }
            if (nearest == null) {
                nearest = new UserCluster("c" + (++next));
                clusters.put(nearest.id(), nearest);
            }
            nearest.put(u);
        }
        for (UserCluster c : clusters.values()) {
            c.addScore(c.size());
        }
    }

    /** Clusters whose score reached {@code threshold}, that no action is working on and that are not backing off. */
    public List<UserCluster> ready(double threshold, java.time.Instant now) {
        List<UserCluster> out = new ArrayList<>();
        for (UserCluster c : clusters.values()) {
            if (!c.busy() && c.size() > 0 && c.score() >= threshold && !c.waiting(now)) {
                out.add(c);
            }
        }
        return out;
    }

    public Optional<UserCluster> get(String id) {
        return Optional.ofNullable(clusters.get(id));
    }

    public void remove(String id) {
        clusters.remove(id);
    }

    /** Takes {@code addresses} out of every cluster; clusters left empty go unless an action works on them. */
    public void forget(Set<String> addresses) {
        for (Iterator<UserCluster> it = clusters.values().iterator(); it.hasNext(); ) {
            UserCluster c = it.next();
            c.removeAll(addresses);
            if (c.size() == 0 && !c.busy()) {
                it.remove();
            }
        }
    }

    public List<UserCluster> all() {
        return List.copyOf(clusters.values());
    }

    /** Groups users by position with the same radius rule (for offloading users that are not bad). */
    public static List<List<LocatedUser>> group(List<LocatedUser> users, double radiusKm) {
        List<List<LocatedUser>> groups = new ArrayList<>();
        List<GeoPoint> anchors = new ArrayList<>();
        for (LocatedUser u : users) {
            int best = -1;
            double bestD = radiusKm;
            for (int i = 0; i < anchors.size(); i++) {
                double d = anchors.get(i).distanceKm(u.position());
                if (d <= bestD) {
                    bestD = d;
                    best = i;
                }
            }
            if (best < 0) {
                anchors.add(u.position());
                groups.add(new ArrayList<>(List.of(u)));
            } else {
                groups.get(best).add(u);
            }
        }
        return groups;
    }
}
