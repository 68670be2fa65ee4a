package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.application.port.in.RootControl;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The control port of a root without a group: every request goes to the writer (the
 * {@link GroupCommitter}), except {@code RootsQuery}, which this root answers about itself alone,
 * from memory. Everything else, {@code handsOnWithoutWaiting} included, is the writer's
 * ({@link ForwardingRootControl}): the anonymous wrapper this replaced kept the port's default
 * there, and every registration of a single root took a handler thread (found in a hop trace on
 * 2026-12-06; docs/evaluation.md, section 1c).
 */
public final class SingleRootControl extends ForwardingRootControl {
    private final Supplier<RootMessage.RootsStatus> status;

    /**
     * @param writer the writer's port
     * @param status this root's answer to {@code RootsQuery} (read from memory; it must not block)
     */
    public SingleRootControl(RootControl writer, Supplier<RootMessage.RootsStatus> status) {
        super(writer);
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
                : delegate.handleLater(request);
    }
}
