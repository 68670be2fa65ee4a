package dev.tendril.root.testing;

import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.root.application.port.out.KeyStore;

import java.util.ArrayList;
import java.util.List;

/** The key store in memory, as the SQLite table keeps the keys. */
public final class InMemoryKeyStore implements KeyStore {
    final List<EnrolledKey> keys = new ArrayList<>();

    @Override
    public List<EnrolledKey> all() {
        return List.copyOf(keys);
    }

    @Override
    public void enrol(EnrolledKey key) {
        if (keys.stream().noneMatch(k -> k.publicKey().equals(key.publicKey()))) {
            keys.add(key);
        }
    }

    @Override
    public int revoke(KeyRole role, String name, String publicKey) {
        int before = keys.size();
        keys.removeIf(k -> k.role() == role && k.name().equals(name) && (publicKey.isEmpty() || k.publicKey().equals(publicKey)));
        return before - keys.size();
    }

    @Override
    public void close() {
    }
}
