package dev.tendril.edge.domain;

/**
 * An accrual failure detector over heartbeat rounds (phi accrual, Hayashibara et al., with
 * the loss model that fits periodic heartbeats over lossy links): every round the peer was
 * either heard or not. From the last {@code window} rounds before the current silence it
 * estimates the chance {@code q} that a round of a live peer goes unheard, and the current
 * run of {@code n} silent rounds has suspicion {@code phi = n × -log10(q)}: the chance that
 * a live peer stays silent this long is {@code 10^-phi}. The peer is suspected when
 * {@code n >= minRounds} and {@code phi >= threshold}, and always after {@code maxRounds}.
 *
 * <p>On a link that lost nothing in the window ({@code q = 0}) a peer is suspected after
 * exactly {@code minRounds} silent rounds, as a plain "N missed heartbeats" detector; on a
 * lossy link it waits as long as the observed loss makes a live peer's silence plausible
 * (20 % loss each way with two tries per round: about 7 rounds for threshold 6), never
 * longer than {@code maxRounds}. Not thread-safe; no clock: the caller decides what a round is.
 */
public final class AccrualDetector {
    /** Default suspicion threshold: one false suspicion per million silent runs of a live peer. */
    public static final double DEFAULT_THRESHOLD = 6.0;
    public static final int DEFAULT_WINDOW = 100;
    /** The most rounds a suspicion may take, as a multiple of {@code minRounds}. */
    public static final int DEFAULT_MAX_FACTOR = 8;

    private final double threshold;
    private final int minRounds;
    private final int maxRounds;
    private final boolean[] history; // true: heard
    private int size;
    private int next;
    private int silentInHistory;
    private int run;

    public AccrualDetector(double threshold, int minRounds, int maxRounds, int window) {
        if (threshold <= 0 || minRounds < 1 || maxRounds < minRounds || window < 1) {
            throw new IllegalArgumentException("need threshold > 0, 1 <= minRounds <= maxRounds, window >= 1");
        }
        this.threshold = threshold;
        this.minRounds = minRounds;
        this.maxRounds = maxRounds;
        this.history = new boolean[window];
    }

    /** The defaults for a node whose policies say {@code missedHeartbeats}. */
    public static AccrualDetector forMissedHeartbeats(int missedHeartbeats) {
        return new AccrualDetector(DEFAULT_THRESHOLD, missedHeartbeats, missedHeartbeats * DEFAULT_MAX_FACTOR, DEFAULT_WINDOW);
    }

    /** One round ended: the peer was heard in it, or not. */
    public void round(boolean heard) {
        if (!heard) {
            run++;
            return;
        }
        int silent = Math.min(run, history.length); // the silence just ended joins the history
        for (int i = 0; i < silent; i++) {
            push(false);
        }
        push(true);
        run = 0;
    }

    private void push(boolean heard) {
        if (size == history.length) {
            if (!history[next]) {
                silentInHistory--;
            }
        } else {
            size++;
        }
        history[next] = heard;
        if (!heard) {
            silentInHistory++;
        }
        next = (next + 1) % history.length;
    }

    /** Silent rounds in a row now. */
    public int silentRounds() {
        return run;
    }

    /** The estimated chance that a round of a live peer goes unheard (0 when no loss was seen). */
    public double lossEstimate() {
        return size == 0 ? 0 : (double) silentInHistory / size;
    }

    /** The suspicion level of the current silence (infinite after a silence on a link that never lost a round). */
    public double phi() {
        double q = lossEstimate();
        if (run == 0) {
            return 0;
        }
        return q == 0 ? Double.POSITIVE_INFINITY : run * -Math.log10(q);
    }

    /** Whether the peer counts as dead now. */
    public boolean suspect() {
        return run >= maxRounds || (run >= minRounds && phi() >= threshold);
    }

    /** Silent rounds after which a live-looking peer is suspected at the current loss estimate (for reports). */
    public int roundsToSuspect() {
        double q = lossEstimate();
        if (q == 0) {
            return minRounds;
        }
        return (int) Math.min(maxRounds, Math.max(minRounds, Math.ceil(threshold / -Math.log10(q))));
    }
}
