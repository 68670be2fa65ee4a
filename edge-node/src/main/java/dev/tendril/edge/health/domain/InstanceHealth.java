package dev.tendril.edge.health.domain;

import dev.tendril.protocol.spec.HealthCheck;
import dev.tendril.protocol.spec.RestartPolicy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The health of one hosted instance: whether it runs, what its probe says (through a
 * {@link HealthHysteresis}), when it may be restarted (its {@link RestartPolicy} and a
 * {@link RestartBackoff}) and when its next probe is due. An instance is <em>serving</em>
 * (answered in DNS) while it runs and its probe, if any, holds. A new deployment starts
 * serving; an instance restarted after an exit serves again at once without a probe, and
 * after {@code successThreshold} passed probes with one. Not thread-safe: one owner.
 */
public final class InstanceHealth {
    /** Where the instance stands, for {@code tendrilctl stats}. */
    public enum Phase { SERVING, UNHEALTHY, EXITED, STOPPED }

    private final RestartPolicy restart;
    private final Optional<HealthCheck> check;
    private final HealthHysteresis hysteresis;
    private final RestartBackoff backoff;
    private boolean running = true;
    private int exitCode;
    private Instant exitedAt = Instant.MIN;
    private Instant nextProbe;
    private boolean probing;
    private long restarts;

    public InstanceHealth(RestartPolicy restart, Optional<HealthCheck> check, RestartBackoff backoff, Instant startedAt) {
        this.restart = Objects.requireNonNull(restart, "restart");
        this.check = Objects.requireNonNull(check, "check");
        this.backoff = backoff;
        this.hysteresis = check.map(c -> new HealthHysteresis(c.failureThreshold(), c.successThreshold(), true)).orElse(null);
        this.nextProbe = startedAt;
        backoff.started(startedAt, false);
    }

    /** What the runtime says now: running, or exited with {@code exitCode} (-1: unknown). */
    public void observe(boolean runningNow, int exitCodeNow, Instant now) {
        if (running && !runningNow) {
            running = false;
            exitCode = exitCodeNow;
            exitedAt = now;
            probing = false;
            backoff.exited(now);
        } else if (!running && runningNow) {
            started(now); // started again by someone else (e.g. docker start): take it as a restart
        }
    }

    /** True when the instance exited and its policy and back-off say to start it now. */
    public boolean restartDue(Instant now) {
        return !running && restart.restarts(exitCode) && !now.isBefore(backoff.nextRestart(exitedAt));
    }

    /** The node started it again at {@code now}. */
    public void restarted(Instant now) {
        restarts++;
        started(now);
    }

    /**
     * The node tried to start it again at {@code now} and the runtime refused (e.g. the host port
     * of the killed container not yet released): the try counts for the back-off, as a start
     * that exited at once, but is no restart ({@code stats} shows restarts that ran).
     */
    public void restartFailed(Instant now) {
        started(now);
        observe(false, -1, now);
    }

    private void started(Instant now) {
        running = true;
        probing = false;
        backoff.started(now, true);
        if (hysteresis != null) {
            hysteresis.reset(false); // it failed once: serve again only after the success threshold
        }
        nextProbe = now;
    }

    /** True when a probe should start now; it is then in flight until {@link #probed}. */
    public boolean takeProbe(Instant now) {
        if (check.isEmpty() || !running || probing || now.isBefore(nextProbe)) {
            return false;
        }
        probing = true;
        nextProbe = now.plus(check.get().interval());
        return true;
    }

    /** The verdict of the probe in flight. */
    public void probed(ProbeVerdict verdict) {
        if (!probing) {
            return; // the instance exited meanwhile: the verdict is stale
        }
        probing = false;
        hysteresis.record(verdict);
    }

    public boolean serving() {
        return running && (hysteresis == null || hysteresis.healthy());
    }

    public Phase phase() {
        if (!running) {
            return restart.restarts(exitCode) ? Phase.EXITED : Phase.STOPPED;
        }
        return serving() ? Phase.SERVING : Phase.UNHEALTHY;
    }

    public long restarts() {
        return restarts;
    }

    /** One line for an operator, e.g. "serving", "unhealthy (3 failed probes: HTTP 500)", "exited (137), restart in 2s". */
    public String describe(Instant now) {
        String probe = hysteresis == null ? "" : hysteresis.failuresInARow() > 0
                ? ", " + hysteresis.failuresInARow() + " failed probe(s) in a row: " + hysteresis.lastFailure() : "";
        String restarted = restarts == 0 ? "" : ", " + restarts + " restart(s)";
        return switch (phase()) {
            case SERVING -> "serving" + probe + restarted;
            case UNHEALTHY -> "unhealthy (" + (hysteresis.failuresInARow() > 0
                    ? hysteresis.failuresInARow() + " failed probe(s) in a row: " + hysteresis.lastFailure()
                    : hysteresis.successesInARow() + " passed probe(s) of " + check.get().successThreshold() + " needed")
                    + ")" + restarted;
            case EXITED -> "exited (" + exitText() + "), restart " + restartText(now) + restarted;
            case STOPPED -> "exited (" + exitText() + "), not restarted (restart: " + restart.yamlName() + ")" + restarted;
        };
    }

    private String exitText() {
        return exitCode < 0 ? "status unknown" : "status " + exitCode;
    }

    private String restartText(Instant now) {
        Duration wait = Duration.between(now, backoff.nextRestart(exitedAt));
        return wait.isNegative() || wait.isZero() ? "now" : "in " + wait.toMillis() + " ms";
    }
}
