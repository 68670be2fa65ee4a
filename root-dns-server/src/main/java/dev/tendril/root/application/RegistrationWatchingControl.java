package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.application.port.in.RootControl;

import java.util.concurrent.CompletionStage;

/**
 * Decorates the {@link RootControl} port with {@link RegistrationWatches}: every request goes on
 * to the delegate, a {@link RootMessage.RegistrationWatch} is held here. The watches learn of
 * registrations from the writer ({@link GroupCommitter#onApplied}), which the root wires.
 */
public final class RegistrationWatchingControl extends ForwardingRootControl {
    private final RegistrationWatches watches;

    public RegistrationWatchingControl(RootControl delegate, RegistrationWatches watches) {
        super(delegate);
        this.watches = watches;
    }

    @Override
    public CompletionStage<RootMessage> watch(String caller, RootMessage.RegistrationWatch watch) {
        return watches.hold(caller, watch);
    }
}
