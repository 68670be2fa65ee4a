package zmq;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import zmq.util.Errno;

import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tendril's mailbox signal (src/main/java/zmq/Signaler.java, in place of JeroMQ's): every signal
 * sent is seen and taken once, and once the reader took them all the pipe holds nothing, so a
 * level-triggered poll on it sleeps instead of returning at once (the spin of JeroMQ 0.6.0's
 * version, docs/benchmarks.md "Transport").
 */
class SignalerTest {
    private final Ctx ctx = new Ctx();
    private final Errno errno = new Errno();
    private final Signaler signaler = new Signaler(ctx, 1, errno);

    @AfterEach
    void close() throws Exception {
        signaler.close();
        ctx.terminate();
    }

    /** Whether a poll on the signal's pipe, as an I/O thread's or a socket's poll waits on it, would wake now. */
    private boolean pipeReadable() throws Exception {
        try (Selector s = Selector.open()) {
            // a channel registers with one selector of each kind; a fresh one sees the pipe as the poll would
            signaler.getFd().register(s, SelectionKey.OP_READ);
            return s.selectNow() > 0;
        }
    }

    @Test
    void eachSignalIsTakenOnceAndThenThePipeIsEmpty() throws Exception {
        assertFalse(signaler.waitEvent(0));
        assertEquals(ZError.EAGAIN, errno.get());

        signaler.send();
        signaler.send();
        signaler.send();
        assertTrue(pipeReadable());
        for (int i = 0; i < 3; i++) {
            assertTrue(signaler.waitEvent(0), "signal " + (i + 1));
            signaler.recv();
        }
        assertFalse(signaler.waitEvent(0), "no fourth signal");
        assertEquals(ZError.EAGAIN, errno.get());
        assertFalse(pipeReadable(), "every byte read: a poll on the pipe sleeps");
    }

    @Test
    void aWaitWithATimeoutWakesForASignalFromAnotherThreadOrRunsOut() throws Exception {
        assertFalse(signaler.waitEvent(20));
        assertEquals(ZError.EAGAIN, errno.get());

        CountDownLatch waiting = new CountDownLatch(1);
        Thread sender = new Thread(() -> {
            try {
                waiting.await(5, TimeUnit.SECONDS);
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            signaler.send();
        });
        sender.start();
        waiting.countDown();
        assertTrue(signaler.waitEvent(5_000));
        signaler.recv();
        sender.join();
        assertFalse(pipeReadable());
    }

    @Test
    void anInterruptedThreadSendsAndKeepsItsFlagAndAWaitReportsTheInterrupt() throws Exception {
        Thread.currentThread().interrupt();
        signaler.send(); // the pipe must not be closed by the interrupt (InterruptibleChannel)
        assertTrue(Thread.interrupted(), "the flag is kept for the caller");

        Thread.currentThread().interrupt();
        assertFalse(signaler.waitEvent(1_000));
        assertEquals(ZError.EINTR, errno.get());
        assertFalse(Thread.currentThread().isInterrupted(), "reported as EINTR, as JeroMQ's did");

        assertTrue(signaler.waitEvent(0), "the signal sent while interrupted arrived");
        signaler.recv();
        assertFalse(pipeReadable());
    }

    @Test
    void aSignalToAClosedMailboxIsDropped() throws Exception {
        signaler.close();
        signaler.send(); // its socket is gone: nothing to tell, no exception on the sender's (I/O) thread
    }
}
