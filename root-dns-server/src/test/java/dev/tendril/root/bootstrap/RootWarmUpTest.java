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
        Thread t = RootWarmUp.startAfter(java.time.Duration.ZERO, "test-root", 4, 3, () -> false);
        t.join(10_000);
        assertFalse(t.isAlive(), "the warm-up ended");
        Thread.sleep(100); // shutdownNow interrupts the scratch timer's thread; let it go
        boolean timerLeft = Thread.getAllStackTraces().keySet().stream()
                .anyMatch(th -> th.getName().equals("registration-watches-" + RootWarmUp.SERVICE) && th.isAlive());
        assertFalse(timerLeft, "the scratch watches' timer thread was stopped");
    }

    @Test
    void theChangeRehearsalRunsEveryRoundAndRemovesItsScratchDatabase() throws Exception {
        java.nio.file.Path tmp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<java.nio.file.Path> before = scratchDirs(tmp);
        assertEquals(5, RootWarmUp.rehearseChanges(5, 4, () -> false)); // a refused step would throw
        assertEquals(before, scratchDirs(tmp), "the scratch directory was removed");
    }

    @Test
    void theChangeRehearsalStopsWhenTheRootCloses() {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        assertEquals(2, RootWarmUp.rehearseChanges(400, 4, () -> asked.incrementAndGet() > 2));
    }

    private static java.util.Set<java.nio.file.Path> scratchDirs(java.nio.file.Path tmp) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().startsWith("tendril-root-warm-up"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }
}
