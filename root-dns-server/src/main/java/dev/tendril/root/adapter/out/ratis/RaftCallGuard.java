package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.refusal.RefusalLog;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;

/**
 * What a peer may ask at a root's Raft port: Raft between members (the server protocol:
 * append entries, votes, snapshots) and nothing else. Ratis serves its client and admin
 * protocols on the same port, through which anyone at the port could submit a log entry, a
 * new configuration or a group removal; a root never uses them over the network (it proposes
 * to its own server in process), so every such call is refused PERMISSION_DENIED, counted and
 * logged as {@link #FORBIDDEN} (once a minute per peer), with TLS on and in clear alike.
 */
final class RaftCallGuard implements ServerInterceptor {
    /** The only service a peer may call (ratis-proto's Grpc.proto). */
    static final String SERVER_PROTOCOL = "ratis.grpc.RaftServerProtocolService";
    /** The refusal reason: a call to the client or admin protocol at the Raft port. */
    static final String FORBIDDEN = "raft.forbidden_calls";

    private final RefusalLog refusals;

    RaftCallGuard(RefusalLog refusals) {
        this.refusals = refusals;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (SERVER_PROTOCOL.equals(service)) {
            return next.startCall(call, headers);
        }
        // the address without its port: one log line a minute per address, however many connections it opens
        String from = PinnedPeerCertificates.hostOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        refusals.refused(from, FORBIDDEN, "called " + call.getMethodDescriptor().getFullMethodName()
                + " at the Raft port (only Raft between the roots is served there)");
        call.close(Status.PERMISSION_DENIED.withDescription("only Raft between the roots of the group is served here"),
                new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
