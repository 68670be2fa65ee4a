package dev.tendril.protocol.transport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What a test opened, closed in reverse order after it (a field marked {@code @AutoClose}). */
final class Closeables implements AutoCloseable {
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> reversed = new ArrayList<>(open);
        Collections.reverse(reversed);
        open.clear();
        for (AutoCloseable c : reversed) {
            c.close();
        }
    }
}
