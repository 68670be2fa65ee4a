package dev.tendril.edge.health.domain;

import dev.tendril.edge.testing.MutableClock;
import dev.tendril.protocol.spec.HealthCheck;
import dev.tendril.protocol.spec.RestartPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstanceHealthTest {
    final MutableClock clock = new MutableClock();
    final HealthCheck check = HealthCheck.http("http", "/healthz", 200)
            .withTiming(Duration.ofSeconds(2), Duration.ofSeconds(1), 3, 2);

    InstanceHealth health(RestartPolicy policy, Optional<HealthCheck> c) {
        return new InstanceHealth(policy, c, RestartBackoff.standard(), clock.instant());
    }

    @Test
    void restartPoliciesDecideByExitStatus() {
        Object[][] table = {
                {RestartPolicy.ALWAYS, 0, true}, {RestartPolicy.ALWAYS, 137, true}, {RestartPolicy.ALWAYS, -1, true},
                {RestartPolicy.ON_FAILURE, 0, false}, {RestartPolicy.ON_FAILURE, 1, true}, {RestartPolicy.ON_FAILURE, -1, true},
                {RestartPolicy.NEVER, 0, false}, {RestartPolicy.NEVER, 137, false}};
        for (Object[] row : table) {
            InstanceHealth h = health((RestartPolicy) row[0], Optional.empty());
            h.observe(false, (int) row[1], clock.instant());
            assertFalse(h.serving());
            assertEquals(row[2], h.restartDue(clock.instant()), row[0] + " exit " + row[1]);
            assertEquals((boolean) row[2] ? InstanceHealth.Phase.EXITED : InstanceHealth.Phase.STOPPED, h.phase());
        }
    }

    @Test
    void aCrashLoopBacksOffAndAStableRunStartsTheCountOver() {
        InstanceHealth h = health(RestartPolicy.ALWAYS, Optional.empty());
        long[] expectedWaitMs = {0, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
        for (long wait : expectedWaitMs) {
            h.observe(false, 1, clock.instant());
            clock.advance(Duration.ofMillis(wait).minusMillis(wait == 0 ? 0 : 1));
            assertEquals(wait == 0, h.restartDue(clock.instant()), "not before " + wait + " ms");
            clock.advance(Duration.ofMillis(wait == 0 ? 0 : 1));
            assertTrue(h.restartDue(clock.instant()));
            h.restarted(clock.instant());
            assertTrue(h.serving(), "no probe: serving again once restarted");
        }
        clock.advance(Duration.ofSeconds(10)); // ran long enough
        h.observe(false, 1, clock.instant());
        assertTrue(h.restartDue(clock.instant()));
        assertEquals(8, h.restarts());
    }

    @Test
    void aRefusedRestartBacksOffButIsNoRestart() {
        InstanceHealth h = health(RestartPolicy.ALWAYS, Optional.empty());
        h.observe(false, 137, clock.instant());
        assertTrue(h.restartDue(clock.instant()));
        h.restartFailed(clock.instant()); // e.g. the killed container's host port not yet free
        assertFalse(h.serving());
        assertFalse(h.restartDue(clock.instant()), "the refused try counts for the back-off");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(h.restartDue(clock.instant()));
        h.restarted(clock.instant());
        assertTrue(h.serving());
        assertEquals(1, h.restarts());
        assertEquals("serving, 1 restart(s)", h.describe(clock.instant()));
    }

    @Test
    void probesAreDueEveryIntervalAndARestartedInstanceServesAfterTheSuccessThreshold() {
        InstanceHealth h = health(RestartPolicy.ALWAYS, Optional.of(check));
        assertTrue(h.serving(), "a new deployment serves until its probe says otherwise");
        for (int i = 0; i < 3; i++) {
            assertTrue(h.takeProbe(clock.instant()));
            assertFalse(h.takeProbe(clock.instant()), "one probe in flight at a time");
            h.probed(ProbeVerdict.fail("HTTP 500, expected 200"));
            assertEquals(i < 2, h.serving());
            clock.advance(Duration.ofMillis(1999));
            assertFalse(h.takeProbe(clock.instant()));
            clock.advance(Duration.ofMillis(1));
        }
        assertEquals(InstanceHealth.Phase.UNHEALTHY, h.phase());
        assertTrue(h.describe(clock.instant()).contains("3 failed probe(s) in a row: HTTP 500"), h.describe(clock.instant()));
        h.observe(false, 137, clock.instant());
        assertFalse(h.takeProbe(clock.instant()), "no probes while exited");
        h.restarted(clock.instant());
        assertFalse(h.serving(), "restarted after a failure: waits for its probe");
        h.takeProbe(clock.instant());
        h.probed(ProbeVerdict.PASS);
        assertFalse(h.serving());
        clock.advance(Duration.ofSeconds(2));
        h.takeProbe(clock.instant());
        h.probed(ProbeVerdict.PASS);
        assertTrue(h.serving());
    }

    @Test
    void aVerdictArrivingAfterAnExitIsIgnored() {
        InstanceHealth h = health(RestartPolicy.NEVER, Optional.of(check));
        assertTrue(h.takeProbe(clock.instant()));
        h.observe(false, 0, clock.instant());
        h.probed(ProbeVerdict.PASS);
        assertFalse(h.serving());
        assertEquals("exited (status 0), not restarted (restart: never)", h.describe(clock.instant()));
    }
}
