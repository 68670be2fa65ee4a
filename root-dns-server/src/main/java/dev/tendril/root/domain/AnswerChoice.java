package dev.tendril.root.domain;

import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.net.Cidr;

import java.util.List;
import java.util.Optional;

/**
 * Chooses the instances answered to one client: a live migration record for the client wins
 * when its target is live; otherwise the k live instances nearest to the client's position
 * (or to the default position when the client could not be located); when none is live,
 * the nearest known ones or nothing, as configured. Plain Java, no I/O, no locks.
 */
public final class AnswerChoice {
    private final ChoicePolicy policy;

    public AnswerChoice(ChoicePolicy policy) {
        this.policy = policy;
    }

    public ChoicePolicy policy() {
        return policy;
    }

    /**
     * @param view     the service
     * @param client   the client network: an ECS subnet, or the client's single address (/32, /128)
     * @param location where GeoIP put the client, empty when it could not be located
     * @param now      epoch milliseconds
     */
    public Choice choose(ServiceView view, Cidr client, Optional<GeoLocation> location, long now) {
        return choose(view, client, location, client.prefixLength(), now);
    }

    /**
     * As {@link #choose(ServiceView, Cidr, Optional, long)}, where {@code unlocatedPrefix} is
     * the prefix length of the network around the client that GeoIP knows no position for
     * (used as the scope base of a default-position answer).
     */
    public Choice choose(ServiceView view, Cidr client, Optional<GeoLocation> location, int unlocatedPrefix, long now) {
        ServiceInstances instances = view.instances();
        int maxBits = client.isIpv6() ? 128 : 32;
        MigrationTrie.Match match = view.migrations().match(client, now, instances::isLive);
        MigrationEntry m = match.record();
        if (m != null) {
            int scope = Math.min(maxBits, Math.max(m.clients().prefixLength(), match.minScope()));
            return new Choice(List.of(instances.get(m.targetNodeId())), Basis.MIGRATION, scope, m.expiresAtMillis());
        }
        int base;
        Basis basis;
        List<Instance> chosen;
        if (location.isPresent()) {
            base = Math.min(maxBits, location.get().prefixLength());
            basis = Basis.NEAREST;
            chosen = instances.nearest(location.get().point(), policy.recordsPerAnswer(), true);
        } else {
            base = Math.min(maxBits, unlocatedPrefix);
            basis = Basis.DEFAULT_POSITION;
            chosen = instances.nearest(policy.defaultPosition(), policy.recordsPerAnswer(), true);
        }
        int scope = client.prefixLength() == 0 ? 0 : Math.min(maxBits, Math.max(base, match.minScope()));
        if (chosen.isEmpty() && policy.lastKnownWhenNoneLive()) {
            chosen = instances.nearest(location.map(GeoLocation::point).orElse(policy.defaultPosition()),
                    policy.recordsPerAnswer(), false);
            basis = Basis.LAST_KNOWN;
        }
        if (chosen.isEmpty()) {
            return new Choice(List.of(), Basis.NONE, 0, Long.MAX_VALUE);
        }
        return new Choice(chosen, basis, scope, Long.MAX_VALUE);
    }
}
