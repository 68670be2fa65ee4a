package dev.tendril.root.application.port.out;

import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyRole;

import java.util.List;

/**
 * Port: the enrolled CURVE public keys of platforms and operators, kept durably with the
 * topology (so roots that share the topology share the keys). Each change is durable when
 * the call returns.
 */
public interface KeyStore extends AutoCloseable {
    List<EnrolledKey> all();

    /** Enrols a key (a key already enrolled is left as it is). */
    void enrol(EnrolledKey key);

    /** Removes one key of this role and name, or all of them when {@code publicKey} is ""; returns how many. */
    int revoke(KeyRole role, String name, String publicKey);

    @Override
    void close();
}
