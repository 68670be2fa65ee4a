package dev.tendril.root.application.port.in;

import dev.tendril.protocol.message.RootMessage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Port: carries out one root control request and returns its reply ({@code Registered},
 * {@code Ack}, a listing, or {@code ErrorReply}). When it returns, every change the request
 * made is durable and visible to DNS. Thread-safe; may block while the change commits.
 */
public interface RootControl {
    RootMessage handle(RootMessage request);

    /**
     * As {@link #handle}, the reply once the stage completes, on the thread that completes it.
     * Ports that queue their work (the writer, the replicated log) override this so that no
     * thread waits for the commit: the control endpoint then answers from the committing
     * thread, one thread wake-up fewer per request. This default calls {@link #handle} and so
     * blocks like it.
     */
    default CompletionStage<RootMessage> handleLater(RootMessage request) {
        return CompletableFuture.completedFuture(handle(request));
    }

    /**
     * True when {@link #handleLater} never waits (it only queues the request for the thread that
     * completes it), so that the control endpoint may call it on its socket's thread. False by
     * default, as for every port that keeps the blocking {@link #handleLater} above.
     */
    default boolean handsOnWithoutWaiting() {
        return false;
    }

    /**
     * Holds a {@link RootMessage.RegistrationWatch} from {@code caller} (its authenticated
     * identity) as a long poll: the stage completes with a {@link RootMessage.RegistrationSeen}
     * at the node's next registration or when the hold ends. It never blocks. This default holds
     * none and answers at once, empty: the asking origin then learns of its replica from the
     * replica's ReplicaReady.
     */
    default CompletionStage<RootMessage> watch(String caller, RootMessage.RegistrationWatch watch) {
        return CompletableFuture.completedFuture(RootMessage.RegistrationSeen.notHeld(watch.service(), watch.nodeId(),
                "this root holds no registration watches"));
    }
}
