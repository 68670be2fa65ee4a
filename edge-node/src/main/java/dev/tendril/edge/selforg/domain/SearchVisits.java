package dev.tendril.edge.selforg.domain;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one node remembers of the migration searches that passed it, so that a search which
 * found nothing in the branch a hop chose comes back and tries the next branch (a
 * depth-first walk of the tree, pruned by the grids), and so that the walk always ends
 * whatever the grids claim: a node sends a search down to each neighbour at most once and
 * back to each neighbour at most once. Not thread-safe.
 */
public final class SearchVisits {
    /** How a search that arrives here is to be handled. */
    public sealed interface Arrival {
    }

    /** The first time here: route it, not back to where it came from. */
    public record First(Visit visit) implements Arrival {
    }

    /** The branch this node sent it down found nothing: route again, past every neighbour tried. */
    public record Returned(Visit visit) implements Arrival {
    }

    /**
     * Seen and done here, now sent here by {@code from}, a neighbour it never went to or came
     * from (e.g. the parent of a sibling that was tried sideways): send it back at once.
     */
    public record Done(Visit visit, String from) implements Arrival {
    }

    /** A copy (of a forward or of a return), or a loop: dropped. */
    public record Duplicate() implements Arrival {
    }

    /** One search at this node: where it first came from, its direction then, whom it was sent to. */
    public static final class Visit {
        private final String sender;
        private final boolean upward;
        private final Instant forgetAt;
        private final Set<String> tried = new LinkedHashSet<>();
        private final Set<String> sentBack = new LinkedHashSet<>();
        private String awaiting;
        private boolean originPrepared;

        Visit(String sender, boolean upward, Instant forgetAt) {
            this.sender = sender;
            this.upward = upward;
            this.forgetAt = forgetAt;
        }

        /** The node it first came from (this node at the origin). */
        public String sender() {
            return sender;
        }

        /** Whether it was climbing when it first came: only a climbing search may go on up. */
        public boolean upward() {
            return upward;
        }

        /** Neighbours not to send it to again: the first sender and every one tried. */
        public Set<String> excluded() {
            Set<String> out = new LinkedHashSet<>(tried);
            out.add(sender);
            return out;
        }

        /** Sent down to {@code nodeId}: its answer, if nothing is there, comes back here. */
        public void sentDown(String nodeId) {
            tried.add(nodeId);
            awaiting = nodeId;
        }

        /** Sent up, offered, ended or sent back: nothing is awaited any more. */
        public void settled(String sentTo) {
            if (sentTo != null) {
                tried.add(sentTo);
            }
            awaiting = null;
        }

        /** True the first time only: the connection to the search's origin is opened once per search. */
        public boolean prepareOrigin() {
            boolean first = !originPrepared;
            originPrepared = true;
            return first;
        }

        /** Sent back to {@code nodeId}; never again. */
        public void sentBack(String nodeId) {
            sentBack.add(nodeId);
            awaiting = null;
        }
    }

    private final Map<String, Visit> visits = new HashMap<>();

    /** The origin starts a search: it came from nowhere but here and climbs. */
    public Visit start(String searchId, String self, Instant forgetAt) {
        Visit v = new Visit(self, true, forgetAt);
        visits.put(searchId, v);
        return v;
    }

    /** Classifies a search arriving from {@code from} (its {@code cameFrom}). */
    public Arrival arrive(String searchId, String from, boolean upward, Instant forgetAt) {
        Visit v = visits.get(searchId);
        if (v == null) {
            v = new Visit(from, upward, forgetAt);
            visits.put(searchId, v);
            return new First(v);
        }
        if (from.equals(v.awaiting)) {
            v.awaiting = null;
            return new Returned(v);
        }
        if (v.awaiting == null && !v.sentBack.contains(from) && !v.tried.contains(from) && !from.equals(v.sender)) {
            return new Done(v, from);
        }
        return new Duplicate();
    }

    /** Forgets searches whose time has passed. */
    public void forget(Instant now) {
        visits.values().removeIf(v -> v.forgetAt.isBefore(now));
    }

    public boolean knows(String searchId) {
        return visits.containsKey(searchId);
    }
}
