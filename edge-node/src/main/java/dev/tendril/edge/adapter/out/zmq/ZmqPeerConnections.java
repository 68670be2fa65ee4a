package dev.tendril.edge.adapter.out.zmq;

import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.edge.overlay.PeerConnections;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.PipelinedClient;

import java.util.Collection;
import java.util.function.IntSupplier;

/**
 * {@link PeerConnections} through the node's {@link PipelinedClient}: the same connection
 * (one per peer endpoint) that the overlay's and self-organization's messages use later, with
 * CURVE to the peer's enrolled key when keys are on. Peers are placed by the infrastructure
 * DB (address, tree port, position).
 */
public final class ZmqPeerConnections implements PeerConnections {
    private final Platform self;
    private final InfrastructureDb infra;
    private final IntSupplier defaultTreePort;
    private final PipelinedClient requests;
    private final CurveClients curve;

    /**
     * @param defaultTreePort this node's tree port (a platform without its own uses it), known once bound
     * @param requests        the node's client (shared; closed by its owner)
     */
    public ZmqPeerConnections(Platform self, InfrastructureDb infra, IntSupplier defaultTreePort, PipelinedClient requests,
                              CurveClients curve) {
        this.self = self;
        this.infra = infra;
        this.defaultTreePort = defaultTreePort;
        this.requests = requests;
        this.curve = curve;
    }

    @Override
    public void openNearest(Collection<String> nodeIds, int limit) {
        for (Platform p : infra.nearest(self.position(), nodeIds, limit, self.id())) {
            open(p);
        }
    }

    @Override
    public void openTo(String nodeId) {
        if (!nodeId.equals(self.id())) {
            infra.byId(nodeId).ifPresent(this::open);
        }
    }

    private void open(Platform p) {
        requests.connect(curve.toPlatform(ClientOptions.of(p.treeEndpoint(defaultTreePort.getAsInt()).zmq()), p.id()));
    }
}
