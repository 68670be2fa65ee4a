package dev.tendril.eval.sim;

import dev.tendril.edge.selforg.application.port.out.RootDirectory;
import dev.tendril.edge.selforg.application.port.out.TreePosition;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.application.CheckMembership;
import dev.tendril.root.application.ConditionalSignOffInstance;
import dev.tendril.root.application.CreateServiceTree;
import dev.tendril.root.application.ListTopology;
import dev.tendril.root.application.ParentAssignment;
import dev.tendril.root.application.RecordClientMigration;
import dev.tendril.root.application.RegisterInstance;
import dev.tendril.root.application.SignOffInstance;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.domain.TreeNode;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The root in the simulation: the root's real use cases (CreateServiceTree, RegisterInstance
 * with ParentAssignment, RecordClientMigration, SignOffInstance, the hosted-set listing,
 * CheckMembership) over an {@link IndexedTopologyRepository} and the real
 * {@link SpatialInstanceDirectory} that DNS reads. A node's call costs it a simulated round
 * trip to the root (charged to the clock).
 */
public final class SimRoot {
    private final SimClock clock;
    private final LinkModel links;
    private final IndexedTopologyRepository repository = new IndexedTopologyRepository();
    private final SpatialInstanceDirectory directory;
    private final ParentAssignment parents;
    private final CreateServiceTree create;
    private final RegisterInstance register;
    private final RecordClientMigration migrations;
    private final SignOffInstance signOff;
    private final ConditionalSignOffInstance conditionalSignOff;
    private final ListTopology listings;
    private final CheckMembership membership;
    private long requests;

    public SimRoot(SimClock clock, LinkModel links, int fanOut) {
        this.clock = clock;
        this.links = links;
        this.directory = new SpatialInstanceDirectory(clock);
        this.parents = new ParentAssignment(repository, fanOut);
        this.create = new CreateServiceTree(repository, directory, clock);
        this.register = new RegisterInstance(repository, directory, parents, clock);
        this.migrations = new RecordClientMigration(repository, directory, clock);
        this.signOff = new SignOffInstance(repository, directory, parents);
        this.conditionalSignOff = new ConditionalSignOffInstance(repository, signOff);
        this.listings = new ListTopology(repository, clock);
        this.membership = new CheckMembership(repository, parents);
    }

    public IndexedTopologyRepository repository() {
        return repository;
    }

    public SpatialInstanceDirectory directory() {
        return directory;
    }

    public long requests() {
        return requests;
    }

    private void roundTrip(String nodeId) {
        requests++;
        clock.charge(links.oneWay(nodeId, LinkModel.ROOT).plus(links.oneWay(LinkModel.ROOT, nodeId)));
    }

    /** Creates the tree with {@code top} on top (no simulated time: set-up). */
    public void createTree(String service, NodeInfo top) {
        requireRegistered(create.execute(new RootMessage.CreateTree(service, top)));
    }

    /** Registers a node (no simulated time: set-up); returns its parent's id or "". */
    public String register(String service, NodeInfo node) {
        return requireRegistered(register.execute(new RootMessage.RegisterNode(service, node)))
                .parent().map(NodeInfo::nodeId).orElse("");
    }

    /** Registers a node from inside the simulation: one round trip from the node. */
    public String registerFrom(String service, NodeInfo node) {
        roundTrip(node.nodeId());
        return register(service, node);
    }

    private static Registered requireRegistered(RootMessage reply) {
        if (reply instanceof Registered r) {
            return r;
        }
        throw new IllegalStateException("root refused: " + reply);
    }

    public void signOff(String service, String nodeId) {
        roundTrip(nodeId);
        signOff.execute(new RootMessage.SignOff(service, nodeId));
    }

    /** An idle instance asks to leave while {@code min} live instances remain (the root's ConditionalSignOffInstance). */
    public RootMessage.SignOffDecision leaveIfAtLeast(String service, String nodeId, int min) {
        roundTrip(nodeId);
        return (RootMessage.SignOffDecision) conditionalSignOff.execute(new RootMessage.ConditionalSignOff(service, nodeId, min));
    }

    /**
     * A replica's check of the node that offered it, from inside the simulation: one round trip
     * from {@code askingNodeId}, answered by the root's {@link CheckMembership} as an edge node's
     * {@code MembershipQuery} is (with {@code nearest} likely parents near {@code near}).
     */
    public RootMessage.Membership membershipFrom(String askingNodeId, String service, String nodeId, Optional<GeoPoint> near,
                                                 int nearest) {
        roundTrip(askingNodeId);
        return (RootMessage.Membership) membership.execute(new RootMessage.MembershipQuery(service, nodeId, near, nearest));
    }

    public int liveCount(String service) {
        return (int) repository.nodes(service).stream().filter(TreeNode::live).count();
    }

    /** The root control endpoint as the node {@code nodeId} reaches it. */
    public RootDirectory directoryFor(String nodeId) {
        return new RootDirectory() {
            @Override
            public boolean recordMigration(String service, List<String> clients, String targetNodeId, Duration lifetime) {
                roundTrip(nodeId);
                return migrations.execute(new RootMessage.RecordMigration(service, clients, targetNodeId,
                        lifetime.toMillis())) instanceof Ack;
            }

            @Override
            public Optional<Set<String>> hostedSet(String service) {
                roundTrip(nodeId);
                RootMessage reply = listings.hostedSet(new RootMessage.HostedSetQuery(service));
                return reply instanceof HostedSet h ? Optional.of(new HashSet<>(h.nodeIds())) : Optional.empty();
            }

            @Override
            public Optional<List<Redirect>> redirects(String service) {
                roundTrip(nodeId);
                RootMessage reply = listings.migrations(new RootMessage.MigrationsQuery(service));
                return reply instanceof RootMessage.MigrationListing l ? Optional.of(l.migrations().stream()
                        .map(v -> new Redirect(v.client(), v.targetNodeId(), Instant.ofEpochMilli(v.createdAtMillis())))
                        .toList()) : Optional.empty();
            }
        };
    }

    /** A node's place in the trees, as its overlay membership knows it (from the root's assignment). */
    public TreePosition positionOf(String nodeId) {
        return new TreePosition() {
            @Override
            public Optional<NodeInfo> self(String service) {
                return repository.node(service, nodeId).filter(TreeNode::live).map(TreeNode::info);
            }

            @Override
            public Optional<NodeInfo> parent(String service) {
                return repository.node(service, nodeId).filter(n -> !n.isTop())
                        .flatMap(n -> repository.node(service, n.parentId())).map(TreeNode::info);
            }

            /** The simulation models no members rounds (nor their messages): a replica decision asks the root. */
            @Override
            public Optional<Members> recentMembers(String service) {
                return Optional.empty();
            }

            @Override
            public List<NodeInfo> children(String service) {
                return repository.children(service, nodeId).stream().map(TreeNode::info).toList();
            }
        };
    }

    /** Which node DNS answers a client with now: its live migration target. */
    public Optional<String> migrationTarget(String service, String client) {
        return directory.migrations(service).stream().filter(m -> m.clients().toString().startsWith(client + "/"))
                .map(m -> m.targetNodeId()).findFirst();
    }
}
