package dev.tendril.protocol.transport;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;

import java.time.Clock;
import java.util.Objects;

/**
 * A {@link Requester} that hands each request straight to a {@link RequestHandler}, with both
 * directions encoded and decoded by the codec (so what would not survive the wire fails here
 * too). No sockets, no threads, no dedupe; for tests of code that sends requests. Set
 * {@link #unreachable(boolean)} to make every request time out.
 */
public final class InMemoryRequester implements Requester {
    private final RequestHandler handler;
    private final String serverNodeId;
    private final Clock clock;
    private final FrameCodec codec;
    private volatile boolean unreachable;

    public InMemoryRequester(RequestHandler handler, String serverNodeId, Clock clock) {
        this(handler, serverNodeId, clock, FrameCodec.standard());
    }

    public InMemoryRequester(RequestHandler handler, String serverNodeId, Clock clock, FrameCodec codec) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.serverNodeId = Objects.requireNonNull(serverNodeId, "serverNodeId");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** While true, every request returns {@code TimedOut(1)} and the handler is not called. */
    public void unreachable(boolean value) {
        unreachable = value;
    }

    @Override
    public RequestResult request(Envelope request) {
        if (unreachable) {
            return new RequestResult.TimedOut(1);
        }
        Envelope received = wire(request);
        Envelope reply = received.reply(serverNodeId, clock.millis(), handler.handle(received));
        return new RequestResult.Reply(wire(reply), 1);
    }

    private Envelope wire(Envelope e) {
        DecodeResult r = codec.decode(codec.encode(e));
        if (r instanceof DecodeResult.Decoded d) {
            return d.envelope();
        }
        throw new IllegalStateException("envelope does not survive the wire: " + r);
    }
}
