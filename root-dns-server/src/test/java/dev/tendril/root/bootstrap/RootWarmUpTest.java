package dev.tendril.root.bootstrap;

import dev.tendril.protocol.message.RootMessage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The root's warm-up rehearses a watch answered by a registration (else it would warm nothing) and leaves nothing behind. */
class RootWarmUpTest {
    @Test
    void theRehearsedWatchIsAnsweredWithTheRegisteredNode() {
        RootMessage.RegistrationSeen seen = RootWarmUp.run();
        assertEquals(RootWarmUp.SERVICE, seen.service());
        assertEquals("warm-up-1", seen.node().orElseThrow().nodeId());
        assertFalse(seen.isNotHeld());
    }

    @Test
    void itsThreadEndsAndLeavesNoTimerThreadBehind() throws InterruptedException {
        Thread t = RootWarmUp.startAfter(java.time.Duration.ZERO, "test-root");
        t.join(10_000);
        assertFalse(t.isAlive(), "the warm-up ended");
        Thread.sleep(100); // shutdownNow interrupts the scratch timer's thread; let it go
        boolean timerLeft = Thread.getAllStackTraces().keySet().stream()
                .anyMatch(th -> th.getName().equals("registration-watches-" + RootWarmUp.SERVICE) && th.isAlive());
        assertFalse(timerLeft, "the scratch watches' timer thread was stopped");
    }
}
