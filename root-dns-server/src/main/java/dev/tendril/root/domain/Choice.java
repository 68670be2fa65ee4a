package dev.tendril.root.domain;

import java.util.List;

/**
 * The instances chosen for one client, why, and for how wide a client network and how long
 * the choice holds.
 *
 * @param instances       nearest first; empty when {@code basis} is NONE
 * @param scope           the prefix length of the widest network around the client for which the same
 *                        choice holds (the ECS scope)
 * @param expiresAtMillis when the choice stops holding (a migration record's expiry), or Long.MAX_VALUE
 */
public record Choice(List<Instance> instances, Basis basis, int scope, long expiresAtMillis) {
    public Choice {
        instances = List.copyOf(instances);
    }

    public boolean isEmpty() {
        return instances.isEmpty();
    }
}
