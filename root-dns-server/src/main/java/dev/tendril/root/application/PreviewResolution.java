package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.ResolveAnswer;
import dev.tendril.protocol.message.RootMessage.ResolveQuery;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.domain.Choice;
import dev.tendril.root.domain.Instance;

import java.util.Optional;
import java.util.function.Function;

/**
 * Answers the control endpoint's {@link ResolveQuery}: which instances DNS would answer a
 * client (an address, or a subnet as sent in ECS) right now, and why. Asks the same
 * {@link ResolveService} the DNS front end uses, so the preview cannot drift from DNS.
 */
public final class PreviewResolution implements Function<ResolveQuery, RootMessage> {
    private final ResolveService resolver;

    public PreviewResolution(ResolveService resolver) {
        this.resolver = resolver;
    }

    @Override
    public RootMessage apply(ResolveQuery query) {
        Cidr client;
        try {
            client = Cidr.parse(query.client());
        } catch (IllegalArgumentException e) {
            return new ErrorReply(ControlErrors.INVALID, e.getMessage());
        }
        Optional<Choice> choice = resolver.choose(query.service(), client);
        if (choice.isEmpty()) {
            return new ErrorReply(ControlErrors.NOT_FOUND, "no instance of service '" + query.service() + "' is registered");
        }
        return new ResolveAnswer(query.service(), query.client(),
                choice.get().instances().stream().map(Instance::node).toList(), choice.get().basis().label());
    }
}
