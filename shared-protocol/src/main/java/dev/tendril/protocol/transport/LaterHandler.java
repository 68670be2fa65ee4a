package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;

import java.util.concurrent.CompletionStage;

/**
 * Port: a {@link CallerHandler} whose reply may come later, from another thread. The
 * {@link RequestServer} sends the reply when the stage completes (a stage that fails is
 * answered as a handler failure). With {@link ServerOptions#inline()} such a handler runs on the
 * socket's thread and only hands the request on: the request then costs one thread hand-off to
 * whoever completes it, and one back, instead of a handler thread that waits in between.
 */
public interface LaterHandler extends CallerHandler {
    /** The reply to {@code request}, once the stage completes; must not block. */
    CompletionStage<Message> handleLater(Envelope request, Caller caller);

    /** Waits for {@link #handleLater} (for callers that need the reply now). */
    @Override
    default Message handle(Envelope request, Caller caller) {
        return handleLater(request, caller).toCompletableFuture().join();
    }
}
