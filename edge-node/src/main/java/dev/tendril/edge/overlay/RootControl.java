package dev.tendril.edge.overlay;

import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Port: the root control endpoint. Sends one request (retried with the same id by the
 * adapter) and returns the reply body, or empty when no root answered.
 */
public interface RootControl {
    Optional<Message> call(String service, RootMessage request);

    /**
     * Sends a request the root may hold (a long poll) once, to the root asked first, waiting up
     * to {@code wait}; no other root is tried and a silence does not count against the root.
     * Empty when no reply came in time (ask again with {@link #call}). This default is
     * {@link #call}.
     */
    default Optional<Message> callHeld(String service, RootMessage request, java.time.Duration wait) {
        return call(service, request);
    }

    /**
     * As {@link #callHeld}, without a thread waiting for the root's answer: the stage completes
     * when the reply comes, or with empty when none came in time, on the adapter's own thread
     * (chain only short work onto it). This default runs {@link #callHeld} on the common pool.
     */
    default CompletableFuture<Optional<Message>> callHeldLater(String service, RootMessage request, java.time.Duration wait) {
        return CompletableFuture.supplyAsync(() -> callHeld(service, request, wait));
    }
}
