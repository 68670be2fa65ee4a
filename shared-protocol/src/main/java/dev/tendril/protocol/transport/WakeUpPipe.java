package dev.tendril.protocol.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;

/**
 * Wakes a thread blocked in a ZeroMQ poll from any other thread: register {@link #source()}
 * for POLLIN next to the sockets, call {@link #wake()} after queueing work, and
 * {@link #drain()} when the poll reports it. ZeroMQ sockets are not thread-safe, so the
 * socket's own thread must do the sending; this is how it learns there is something to send
 * without a poll timeout.
 */
final class WakeUpPipe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WakeUpPipe.class);
    private final String owner;
    private final Pipe pipe;

    WakeUpPipe(String owner) {
        this.owner = owner;
        try {
            pipe = Pipe.open();
            pipe.source().configureBlocking(false);
            pipe.sink().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the wake-up pipe of " + owner, e);
        }
    }

    SelectableChannel source() {
        return pipe.source();
    }

    /** Never blocks; does nothing once closed. */
    void wake() {
        try {
            synchronized (pipe) {
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            }
        } catch (IOException e) {
            // closed: nothing to wake
        }
    }

    /** Empties the pipe (the wake-ups are only a signal); a failure is logged and otherwise ignored. */
    void drain() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        try {
            while (pipe.source().read(buf) > 0) {
                buf.clear();
            }
        } catch (IOException e) {
            log.debug("{}: reading the wake-up pipe failed", owner, e);
        }
    }

    /** Closes both ends; a failure is logged and otherwise ignored (the owner is closing anyway). */
    @Override
    public void close() {
        try {
            pipe.sink().close();
            pipe.source().close();
        } catch (IOException e) {
            log.debug("{}: closing the wake-up pipe failed", owner, e);
        }
    }
}
