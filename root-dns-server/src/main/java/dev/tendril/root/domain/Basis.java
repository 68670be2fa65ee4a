package dev.tendril.root.domain;

/** Why an answer holds the instances it holds. */
public enum Basis {
    /** A live migration record for the client named a live target. */
    MIGRATION("migration"),
    /** The live instances nearest to the client's GeoIP position. */
    NEAREST("nearest"),
    /** The client could not be located: the live instances nearest to the configured default position. */
    DEFAULT_POSITION("default-position"),
    /** No instance is live: the nearest known (down) instances, when configured so. */
    LAST_KNOWN("last-known"),
    /** No instance to answer. */
    NONE("none");

    private final String label;

    Basis(String label) {
        this.label = label;
    }

    /** The name used in control replies (ResolveAnswer.basis). */
    public String label() {
        return label;
    }
}
