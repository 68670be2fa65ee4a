package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.application.port.in.RootControl;

import java.util.concurrent.CompletionStage;

/**
 * Decorates the {@link RootControl} port with {@link RegistrationWatches}: every request goes on
 * to the delegate, a {@link RootMessage.RegistrationWatch} is held here. The watches learn of
 * registrations from the writer ({@link GroupCommitter#onApplied}), which the root wires.
 */
public final class RegistrationWatchingControl implements RootControl {
    private final RootControl delegate;
    private final RegistrationWatches watches;

    public RegistrationWatchingControl(RootControl delegate, RegistrationWatches watches) {
        this.delegate = delegate;
        this.watches = watches;
    }

    @Override
    public RootMessage handle(RootMessage request) {
        return delegate.handle(request);
    }

    @Override
    public CompletionStage<RootMessage> handleLater(RootMessage request) {
        return delegate.handleLater(request);
    }

    @Override
    public boolean handsOnWithoutWaiting() {
        return delegate.handsOnWithoutWaiting();
    }

    @Override
    public CompletionStage<RootMessage> watch(String caller, RootMessage.RegistrationWatch watch) {
        return watches.hold(caller, watch);
    }
}
