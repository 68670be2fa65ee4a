package dev.tendril.root.application.port.out;

/**
 * Port: where in a replicated log the topology store stands. Written in the same transaction
 * as the changes of the entries applied, so after a crash the store says exactly which
 * entries it holds and the log replays only the ones after.
 */
public interface LogPosition {
    /** The applied entry; index -1 when none. */
    record Applied(long term, long index) {
        public static final Applied NONE = new Applied(0, -1);
    }

    Applied applied();

    /** Records the last applied entry; call inside the transaction that applied it. */
    void saveApplied(Applied applied);
}
