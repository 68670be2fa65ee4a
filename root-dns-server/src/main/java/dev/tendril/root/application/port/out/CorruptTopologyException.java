package dev.tendril.root.application.port.out;

import java.nio.file.Path;
import java.util.List;

/**
 * The topology database failed its integrity check at start: the root refuses to run on it.
 * The operator moves it aside (the edges re-assert what runs, so a root started on an empty
 * database converges) or restores a copy.
 */
public final class CorruptTopologyException extends TopologyStoreException {
    public CorruptTopologyException(Path file, List<String> problems) {
        super("topology database " + file + " is damaged (PRAGMA quick_check: " + String.join("; ", problems)
                + "): refusing to write into it. Move it aside to start on an empty database (the edge nodes "
                + "re-register what they run within a few heartbeats) or restore a copy", null);
    }
}
