package zmq;

import zmq.util.Errno;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tendril's own replacement of JeroMQ 0.6.0's mailbox signal (the jar's {@code zmq.Signaler} is
 * left out when shared-protocol unpacks JeroMQ, see its pom): one byte in a pipe per command
 * posted to a {@link Mailbox}, read by the mailbox's one reader; the pipe's read end is what a
 * poll on a socket (or an I/O thread's poller) waits on.
 *
 * <p>Why: JeroMQ's version counted a signal only after writing its byte, and its reader asked
 * that count, not the pipe, whether a signal was left. A reader woken by the byte before the
 * writer counted it found none, left the byte in the pipe, and its level-triggered epoll returned
 * at once again and again until the writer ran again; the writer had woken the reader, so on a
 * busy CPU it waited a whole scheduler slice inside its send (a request through the edge's client
 * thread took 1.0 / 2.9 / 4.0 ms at p50 / p75 / p90 on loopback against 0.2 ms on the caller's
 * own socket: docs/benchmarks.md, "Transport"). Here a signal is counted before its byte is
 * written, so a byte in the pipe is always counted; the reader reads what the pipe holds whenever
 * the count says a signal may be there, and a count whose byte is not written yet costs one empty
 * read, never a spin. When the count says nothing is there, {@link #waitEvent} with no timeout
 * makes no system call (as JeroMQ's did: sockets ask it at every send and receive).
 *
 * <p>Threads: {@link #send} from any thread; {@link #waitEvent} and {@link #recv} from the one
 * reader. Pipe operations ignore (and keep) the calling thread's interrupt flag, because an
 * interrupt would otherwise close the pipe for good under {@code InterruptibleChannel}'s rule;
 * {@link #waitEvent} reports an interrupt as {@code EINTR}, as JeroMQ's did.
 */
final class Signaler implements Closeable
{
    private static final int READ_BATCH = 64;

    private final Pipe.SinkChannel w;
    private final Pipe.SourceChannel r;
    private final Selector selector;
    private final Ctx ctx;
    private final Errno errno;
    private final int pid;

    /** Signals posted so far, counted before each byte is written. */
    private final AtomicLong posted = new AtomicLong();
    /** Bytes read from the pipe so far (reader only). */
    private long drained;
    /** Signals read from the pipe and not yet taken by {@link #recv} (reader only). */
    private long pending;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BATCH);

    Signaler(Ctx ctx, int pid, Errno errno)
    {
        this.ctx = ctx;
        this.pid = pid;
        this.errno = errno;
        try {
            Pipe pipe = Pipe.open();
            r = pipe.source();
            w = pipe.sink();
            r.configureBlocking(false);
            w.configureBlocking(false);
            selector = ctx.createSelector();
            r.register(selector, SelectionKey.OP_READ);
        }
        catch (IOException e) {
            throw new ZError.IOException(e);
        }
    }

    SelectableChannel getFd()
    {
        return r;
    }

    /** Posts one signal; never blocks for long (the pipe holds far more bytes than signals wait unread). */
    void send()
    {
        posted.incrementAndGet(); // before the byte: a reader that sees the byte also sees it counted
        ByteBuffer one = ByteBuffer.allocate(1);
        boolean interrupted = Thread.interrupted();
        try {
            while (one.hasRemaining()) {
                try {
                    w.write(one);
                }
                catch (ClosedChannelException e) {
                    return; // the mailbox was closed (its socket torn down): nobody is left to signal
                }
                catch (IOException e) {
                    throw new ZError.IOException(e);
                }
            }
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Whether a signal is there to {@link #recv}: at once for {@code timeout} 0, else waiting up to
     * {@code timeout} ms (for ever when negative). False with {@code EAGAIN} when none came, with
     * {@code EINTR} when the thread was interrupted or the wait was woken without a signal.
     */
    boolean waitEvent(long timeout)
    {
        if (Thread.interrupted()) {
            errno.set(ZError.EINTR);
            return false;
        }
        if (pending > 0 || (drain() && pending > 0)) {
            return true;
        }
        if (timeout == 0) {
            errno.set(ZError.EAGAIN);
            return false;
        }
        while (true) {
            int rc;
            try {
                rc = select(timeout < 0 ? 0 : timeout);
            }
            catch (IOException e) {
                errno.set(ZError.exccode(e));
                return false;
            }
            if (rc < 0) {
                return false; // closed: EINTR set
            }
            if (Thread.interrupted()) {
                errno.set(ZError.EINTR);
                return false;
            }
            if (!drain()) {
                return false; // closed: EINTR set
            }
            if (pending > 0) {
                return true;
            }
            if (rc == 0) { // the time ran out, or the context woke a wait for ever (termination)
                errno.set(timeout < 0 ? ZError.EINTR : ZError.EAGAIN);
                return false;
            }
            // readiness without a byte to read: wait again (a finite wait only once)
            if (timeout > 0) {
                errno.set(ZError.EAGAIN);
                return false;
            }
        }
    }

    /** Takes one signal; call after {@link #waitEvent} said one is there (else waits for one, as JeroMQ's did). */
    void recv()
    {
        boolean interrupted = Thread.interrupted(); // an interrupted select returns at once: keep the flag for later
        try {
            waitForOne();
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void waitForOne()
    {
        while (pending == 0) {
            if (!drain()) {
                return; // closed
            }
            try {
                if (pending == 0 && select(0) < 0) {
                    return; // closed: EINTR set
                }
            }
            catch (IOException e) {
                throw new ZError.IOException(e);
            }
        }
        pending--;
    }

    /**
     * Waits until the pipe is readable, at most {@code millis} ms (for ever when 0); the selector's
     * count, or -1 with {@code EINTR} set when the selector is closed.
     */
    private int select(long millis) throws IOException
    {
        try {
            int rc = selector.select(millis);
            selector.selectedKeys().clear();
            return rc;
        }
        catch (ClosedSelectorException e) {
            errno.set(ZError.EINTR);
            return -1;
        }
    }

    /**
     * Reads the bytes the pipe holds when the count says some may be there (no system call
     * otherwise); false when the pipe is closed. Reader only.
     */
    private boolean drain()
    {
        if (posted.get() == drained) {
            return true;
        }
        boolean interrupted = Thread.interrupted();
        try {
            int n;
            do {
                readBuffer.clear();
                n = r.read(readBuffer);
                if (n > 0) {
                    drained += n;
                    pending += n;
                }
            } while (n == READ_BATCH);
            return true;
        }
        catch (ClosedChannelException e) {
            errno.set(ZError.EINTR);
            return false;
        }
        catch (IOException e) {
            throw new ZError.IOException(e);
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        IOException failure = null;
        for (Closeable c : new Closeable[] {r, w, () -> ctx.closeSelector(selector)}) {
            try {
                c.close();
            }
            catch (IOException e) {
                if (failure != null) {
                    e.addSuppressed(failure);
                }
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString()
    {
        return "Signaler[" + pid + "]";
    }
}
