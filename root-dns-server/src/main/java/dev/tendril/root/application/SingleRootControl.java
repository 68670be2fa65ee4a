package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.application.port.in.RootControl;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The control port of a root without a group: every request goes to the writer (the
 * {@link GroupCommitter}), except {@code RootsQuery}, which this root answers about itself alone.
 *
 * <p>Like every decorator of {@link RootControl}, it passes on {@link #handsOnWithoutWaiting}:
 * a wrapper that kept the interface's default (false) sent every registration of a single root
 * through a handler thread, one thread wake-up more per request than the writer needs (found
 * in a hop trace on 2026-12-06; docs/evaluation.md, section 1c).
 */
public final class SingleRootControl implements RootControl {
    private final RootControl writer;
    private final Supplier<RootMessage.RootsStatus> status;

    /**
     * @param writer the writer's port
     * @param status this root's answer to {@code RootsQuery} (read from memory; it must not block)
     */
    public SingleRootControl(RootControl writer, Supplier<RootMessage.RootsStatus> status) {
        this.writer = writer;
        this.status = status;
    }

    @Override
    public RootMessage handle(RootMessage request) {
        return ControlErrors.awaitReply(handleLater(request));
    }

    @Override
    public CompletionStage<RootMessage> handleLater(RootMessage request) {
        return request instanceof RootMessage.RootsQuery
                ? CompletableFuture.completedFuture(status.get())
                : writer.handleLater(request);
    }

    /** As the writer: it only queues (the roots' status is answered from memory). */
    @Override
    public boolean handsOnWithoutWaiting() {
        return writer.handsOnWithoutWaiting();
    }

    @Override
    public CompletionStage<RootMessage> watch(String caller, RootMessage.RegistrationWatch watch) {
        return writer.watch(caller, watch);
    }
}
