package dev.tendril.edge.domain;

import dev.tendril.edge.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The accrual detector on a fake clock (one round per heartbeat interval of 1 s) with seeded
 * random loss on both directions of the link: the child's view of its parent (a round is
 * heard when one of its two tries gets request and reply through) and the parent's view of
 * the child (heard when one try's request arrives).
 */
class AccrualDetectorTest {
    static final Duration HB = Duration.ofSeconds(1);
    static final int TRIES = 2;

    /** One simulated link: rounds of heartbeats with independent loss per packet. */
    record Run(long rounds, long falseSuspicions, int detectedAfterRounds, int roundsToSuspect) {
    }

    static Run simulate(double loss, Duration healthyFor, long seed, boolean childView, int missed) {
        MutableClock clock = new MutableClock();
        Instant crashAt = clock.instant().plus(healthyFor);
        Random random = new Random(seed);
        AccrualDetector d = AccrualDetector.forMissedHeartbeats(missed);
        long rounds = 0;
        long falseSuspicions = 0;
        boolean suspected = false;
        while (clock.instant().isBefore(crashAt)) {
            boolean heard = false;
            for (int t = 0; t < TRIES && !heard; t++) {
                boolean request = random.nextDouble() >= loss;
                heard = childView ? request && random.nextDouble() >= loss : request;
            }
            d.round(heard);
            rounds++;
            if (d.suspect() && !suspected) {
                falseSuspicions++;
            }
            suspected = d.suspect();
            clock.advance(HB);
        }
        int roundsToSuspect = d.roundsToSuspect();
        int after = 0;
        while (!d.suspect()) { // crashed: nothing is heard any more
            d.round(false);
            after++;
            clock.advance(HB);
            if (after > 10_000) {
                throw new AssertionError("a crash was never detected");
            }
        }
        return new Run(rounds, falseSuspicions, after, roundsToSuspect);
    }

    @Test
    void onALossFreeLinkItIsAPlainMissedHeartbeatsDetector() {
        for (int missed : new int[] {1, 2, 3, 5}) {
            AccrualDetector d = AccrualDetector.forMissedHeartbeats(missed);
            for (int i = 0; i < 50; i++) {
                d.round(true);
            }
            for (int i = 1; i <= missed; i++) {
                assertFalse(d.suspect(), "after " + (i - 1) + " silent rounds");
                d.round(false);
            }
            assertTrue(d.suspect(), "after " + missed + " silent rounds");
            d.round(true);
            assertFalse(d.suspect(), "heard again: no longer suspected");
        }
    }

    @Test
    void observedLossLengthensTheWaitAndItShrinksAgainWhenTheLossAgesOut() {
        AccrualDetector d = AccrualDetector.forMissedHeartbeats(3);
        for (int i = 0; i < 100; i++) {
            d.round(i % 5 != 0); // 20 % of rounds unheard
        }
        assertEquals(0.2, d.lossEstimate(), 1e-9);
        assertEquals(9, d.roundsToSuspect(), "ceil(6 / -log10(0.2))");
        for (int i = 0; i < 100; i++) {
            d.round(true);
        }
        assertEquals(3, d.roundsToSuspect());
        assertEquals(0.0, AccrualDetector.forMissedHeartbeats(3).phi(), "no silence, no suspicion");
    }

    @Test
    void thousandSimulatedMinutesAtTwentyPercentLossRaiseNoFalseSuspicion() {
        for (boolean childView : new boolean[] {true, false}) {
            Run r = simulate(0.2, Duration.ofMinutes(1000), 20_26, childView, 3);
            assertEquals(60_000, r.rounds());
            assertEquals(0, r.falseSuspicions(), (childView ? "child" : "parent") + " view: " + r);
            assertTrue(r.detectedAfterRounds() <= 3 * AccrualDetector.DEFAULT_MAX_FACTOR, r.toString());
            assertEquals(r.roundsToSuspect(), r.detectedAfterRounds(), "detected when the estimate said: " + r);
            System.out.printf("20%% loss, %s view, 1000 simulated minutes: %d false suspicions; a crash detected after %d rounds%n",
                    childView ? "child" : "parent", r.falseSuspicions(), r.detectedAfterRounds());
        }
    }

    @Test
    void atFiftyPercentLossCrashesAreStillDetectedWithinTheBound() {
        Run r = simulate(0.5, Duration.ofMinutes(1000), 50_50, true, 3);
        System.out.printf("50%% loss, child view, 1000 simulated minutes: %d false suspicions; a crash detected after %d rounds"
                + " (bound %d)%n", r.falseSuspicions(), r.detectedAfterRounds(), 3 * AccrualDetector.DEFAULT_MAX_FACTOR);
        assertTrue(r.detectedAfterRounds() <= 3 * AccrualDetector.DEFAULT_MAX_FACTOR, r.toString());
    }
}
