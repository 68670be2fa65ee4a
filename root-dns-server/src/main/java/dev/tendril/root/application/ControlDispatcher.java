package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.MembershipQuery;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.ResolveQuery;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.InstanceDirectory;

import java.time.Clock;
import java.util.function.Function;

/**
 * Hands each control request to its use case. Runs on the writer thread inside a repository
 * transaction (see {@link GroupCommitter}); the use cases write the repository and then the
 * (deferred) directory. A request that is not a root control request is UNSUPPORTED.
 */
public final class ControlDispatcher {
    private final CreateServiceTree createTree;
    private final RegisterInstance register;
    private final SignOffInstance signOff;
    private final ConditionalSignOffInstance conditionalSignOff;
    private final ReparentOrphan orphan;
    private final ChangeInstanceState state;
    private final RecordClientMigration migration;
    private final ListTopology listings;
    private final CheckMembership membership;
    private final Function<ResolveQuery, RootMessage> resolver;
    private final Clock clock;
    /** A replicated root's enrolled keys (EnrolKey, RevokeKey are log entries); null otherwise. */
    private final dev.tendril.root.application.security.KeyEnrolment keys;

    /**
     * @param resolver answers {@link ResolveQuery} as DNS would (reads the directory, writes nothing)
     */
    public ControlDispatcher(TopologyRepository repository, InstanceDirectory directory, Clock clock, int fanOut,
                             Function<ResolveQuery, RootMessage> resolver) {
        this(repository, directory, clock, fanOut, resolver, ControlLimits.defaults(), ControlLimits.quietRefusals());
    }

    /**
     * @param limits   what one request may ask and how much state all may leave
     * @param refusals counts refusals per reason (the endpoint logs them per peer)
     */
    public ControlDispatcher(TopologyRepository repository, InstanceDirectory directory, Clock clock, int fanOut,
                             Function<ResolveQuery, RootMessage> resolver, ControlLimits limits, RefusalLog refusals) {
        this(repository, directory, clock, fanOut, resolver, limits, refusals, null);
    }

    /**
     * @param keys a replicated root's enrolled keys: committed EnrolKey and RevokeKey entries are
     *             applied to them at {@code clock}'s time (the entry's); null: none
     */
    public ControlDispatcher(TopologyRepository repository, InstanceDirectory directory, Clock clock, int fanOut,
                             Function<ResolveQuery, RootMessage> resolver, ControlLimits limits, RefusalLog refusals,
                             dev.tendril.root.application.security.KeyEnrolment keys) {
        this.clock = clock;
        this.keys = keys;
        ParentAssignment parents = new ParentAssignment(repository, fanOut);
        InstanceQuota quota = new InstanceQuota(repository, limits, refusals);
        this.createTree = new CreateServiceTree(repository, directory, clock, quota);
        this.register = new RegisterInstance(repository, directory, parents, clock, quota);
        this.signOff = new SignOffInstance(repository, directory, parents);
        this.conditionalSignOff = new ConditionalSignOffInstance(repository, signOff);
        this.orphan = new ReparentOrphan(repository, directory, parents);
        this.state = new ChangeInstanceState(repository, directory);
        this.migration = new RecordClientMigration(repository, directory, clock, limits, refusals);
        this.listings = new ListTopology(repository, clock);
        this.membership = new CheckMembership(repository, parents);
        this.resolver = resolver;
    }

    /** A resolver for roots without a query path: every ResolveQuery is UNSUPPORTED. */
    public static RootMessage noResolver(ResolveQuery query) {
        return new ErrorReply(ControlErrors.UNSUPPORTED, "this root does not answer resolve queries");
    }

    public RootMessage dispatch(RootMessage request) {
        if (request instanceof CreateTree r) {
            return createTree.execute(r);
        } else if (request instanceof RegisterNode r) {
            return register.execute(r);
        } else if (request instanceof SignOff r) {
            return signOff.execute(r);
        } else if (request instanceof ConditionalSignOff r) {
            return conditionalSignOff.execute(r);
        } else if (request instanceof OrphanReport r) {
            return orphan.execute(r);
        } else if (request instanceof NodeState r) {
            return state.execute(r);
        } else if (request instanceof RecordMigration r) {
            return migration.execute(r);
        } else if (request instanceof HostedSetQuery r) {
            return listings.hostedSet(r);
        } else if (request instanceof MembershipQuery r) {
            return membership.execute(r);
        } else if (request instanceof TreeQuery r) {
            return listings.tree(r);
        } else if (request instanceof MigrationsQuery r) {
            return listings.migrations(r);
        } else if (request instanceof ResolveQuery r) {
            return resolver.apply(r);
        } else if (keys != null && dev.tendril.root.application.security.KeyEnrolment.isKeyChange(request)) {
            return keys.apply(request, clock.millis());
        }
        return new ErrorReply(ControlErrors.UNSUPPORTED, request.type() + " is not a root control request");
    }
}
