package dev.tendril.edge.health.domain;

/**
 * Turns a stream of probe verdicts into a healthy/unhealthy state that only changes after
 * {@code failureThreshold} failures in a row (healthy to unhealthy) or
 * {@code successThreshold} successes in a row (back), as Kubernetes and Consul checks do:
 * a flapping probe cannot flip the state faster than the thresholds allow. Not thread-safe.
 */
public final class HealthHysteresis {
    private final int failureThreshold;
    private final int successThreshold;
    private boolean healthy;
    private int failuresInARow;
    private int successesInARow;
    private String lastFailure = "";

    /**
     * @param healthy the state before any verdict
     */
    public HealthHysteresis(int failureThreshold, int successThreshold, boolean healthy) {
        if (failureThreshold < 1 || successThreshold < 1) {
            throw new IllegalArgumentException("thresholds must be >= 1");
        }
        this.failureThreshold = failureThreshold;
        this.successThreshold = successThreshold;
        this.healthy = healthy;
    }

    /** Takes one verdict; true when the state changed with it. */
    public boolean record(ProbeVerdict verdict) {
        if (verdict instanceof ProbeVerdict.Fail f) {
            lastFailure = f.reason();
            successesInARow = 0;
            failuresInARow++;
            if (healthy && failuresInARow >= failureThreshold) {
                healthy = false;
                return true;
            }
            return false;
        }
        failuresInARow = 0;
        successesInARow++;
        if (!healthy && successesInARow >= successThreshold) {
            healthy = true;
            return true;
        }
        return false;
    }

    /** Starts over in {@code state}, forgetting the verdicts so far (the instance was restarted). */
    public void reset(boolean state) {
        healthy = state;
        failuresInARow = 0;
        successesInARow = 0;
    }

    public boolean healthy() {
        return healthy;
    }

    public int failuresInARow() {
        return failuresInARow;
    }

    public int successesInARow() {
        return successesInARow;
    }

    /** The reason of the latest failed probe ("" when none failed yet). */
    public String lastFailure() {
        return lastFailure;
    }
}
