package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.application.port.in.RootControl;

import java.util.concurrent.CompletionStage;

/**
 * A {@link RootControl} that hands every call on to {@code delegate}; a decorator extends it and
 * overrides only what it changes. Every method of the port is forwarded here, the defaults
 * included: a wrapper that kept a default instead ({@code handsOnWithoutWaiting} false) once sent
 * every request of the shipped single root through a handler thread (docs/gotchas.md).
 * {@code ForwardingRootControlTest} fails when the port gains a method this class does not forward.
 */
public abstract class ForwardingRootControl implements RootControl {
    protected final RootControl delegate;

    protected ForwardingRootControl(RootControl delegate) {
        this.delegate = delegate;
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
        return delegate.watch(caller, watch);
    }
}
