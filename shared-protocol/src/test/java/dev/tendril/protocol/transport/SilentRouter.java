package dev.tendril.protocol.transport;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bare ROUTER that records what arrives and never answers: what a client's retries look like on the wire. */
final class SilentRouter implements AutoCloseable {
    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket router = context.createSocket(SocketType.ROUTER);

    SilentRouter() {
        this(null);
    }

    /** With {@code curveSecretKey} (Z85) the router speaks CURVE and admits any client key. */
    SilentRouter(String curveSecretKey) {
        router.setReceiveTimeOut(500);
        if (curveSecretKey != null) {
            router.setCurveServer(true);
            router.setCurveSecretKey(ZMQ.Curve.z85Decode(curveSecretKey));
        }
        router.bind("tcp://127.0.0.1:*");
    }

    /** The routing ids of what arrived (until nothing more for 500 ms), each frame checked to be {@code request}. */
    List<String> arrivals(FrameCodec codec, Envelope request) {
        List<String> routingIds = new ArrayList<>();
        byte[] routingId;
        while ((routingId = router.recv(0)) != null) {
            routingIds.add(Arrays.toString(routingId));
            Envelope got = ((DecodeResult.Decoded) codec.decode(router.recv(0))).envelope();
            assertEquals(request, got, "every attempt carries the same id");
        }
        return routingIds;
    }

    String endpoint() {
        return router.getLastEndpoint();
    }

    /**
     * Reads what arrived (until nothing more for 500 ms) and checks it: every arrival is
     * {@code request} (same id), from its own connection, and there were between 2 and
     * {@code attempts + replaced} of them. An attempt can in rare cases be lost in a stalled
     * connect; a connection judged stalled (HandshakeWatch) that had in fact got through
     * delivers the same frame once more.
     */
    void assertEveryAttemptArrivedFromAFreshConnection(FrameCodec codec, Envelope request, int attempts, long replaced) {
        List<String> routingIds = arrivals(codec, request);
        assertTrue(routingIds.size() >= 2 && routingIds.size() <= attempts + replaced,
                "attempts that arrived: " + routingIds.size() + ", connections replaced: " + replaced);
        assertEquals(routingIds.size(), routingIds.stream().distinct().count(), "each attempt comes from a fresh socket");
    }

    @Override
    public void close() {
        context.close();
    }
}
