package dev.tendril.root.testing;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.root.application.ControlDispatcher;
import dev.tendril.root.application.ControlLimits;
import dev.tendril.root.application.DeferredDirectory;
import dev.tendril.root.application.port.out.TopologyRepository;
import dev.tendril.root.domain.TreeNode;

/** The control use cases over fakes: each request runs in its own transaction, then the directory is written. */
public final class ControlHarness {
    public final TopologyRepository repository;
    public final RecordingDirectory directory = new RecordingDirectory();
    public final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final DeferredDirectory deferred = new DeferredDirectory();
    private final ControlDispatcher dispatcher;

    public ControlHarness(int fanOut) {
        this(new InMemoryTopologyRepository(), fanOut);
    }

    public final RefusalLog refusals = ControlLimits.quietRefusals();

    public ControlHarness(TopologyRepository repository, int fanOut) {
        this(repository, fanOut, ControlLimits.defaults());
    }

    public ControlHarness(TopologyRepository repository, int fanOut, ControlLimits limits) {
        this.repository = repository;
        this.dispatcher = new ControlDispatcher(repository, deferred, clock, fanOut, ControlDispatcher::noResolver,
                limits, refusals);
    }

    public RootMessage send(RootMessage request) {
        try {
            RootMessage reply = repository.inTransaction(() -> dispatcher.dispatch(request));
            deferred.flushTo(directory);
            return reply;
        } catch (RuntimeException e) {
            deferred.discard();
            throw e;
        }
    }

    public void createTree(String service, String nodeId, GeoPoint where) {
        send(new CreateTree(service, Fixtures.info(nodeId, where)));
    }

    /** Registers and returns the assigned parent's id ("" for none). */
    public String register(String service, String nodeId, GeoPoint where) {
        RootMessage reply = send(new RegisterNode(service, Fixtures.info(nodeId, where)));
        if (!(reply instanceof Registered r)) {
            throw new AssertionError("expected Registered, got " + reply);
        }
        return r.parent().map(p -> p.nodeId()).orElse("");
    }

    public TreeNode node(String service, String nodeId) {
        return repository.node(service, nodeId).orElseThrow(() -> new AssertionError("no node " + nodeId));
    }
}
