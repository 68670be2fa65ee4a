package dev.tendril.protocol.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * ZAP handler (ZeroMQ RFC 27) that admits CURVE clients whose public key {@link PeerKeys}
 * knows (asked at each connection, so the set may change at any time) and refuses every
 * other. An admitted connection carries its key as the ZAP user id, which the server reads
 * back from each message's metadata. It answers on the REP socket bound to
 * {@code inproc://zeromq.zap.01} of the server's own context, from the server's socket
 * thread (it never blocks).
 */
final class ZapAllowlist {
    private static final Logger log = LoggerFactory.getLogger(ZapAllowlist.class);

    private final ZMQ.Socket socket;
    private final PeerKeys keys;
    private final String nodeId;
    private final BiConsumer<String, String> refused;
    private final Consumer<Caller> admitted;

    /**
     * @param refused  told (peer address, detail) of each refused connection
     * @param admitted told the caller of each admitted connection, after the ZAP reply went out
     */
    ZapAllowlist(ZMQ.Socket socket, PeerKeys keys, String nodeId, BiConsumer<String, String> refused,
                 Consumer<Caller> admitted) {
        this.socket = socket;
        this.keys = keys;
        this.nodeId = nodeId;
        this.refused = refused;
        this.admitted = admitted;
    }

    /** Answers every ZAP request waiting on the socket. */
    void answerPending() {
        while (true) {
            byte[] version = socket.recv(ZMQ.DONTWAIT);
            if (version == null) {
                return;
            }
            byte[][] frames = new byte[7][];
            frames[0] = version;
            int n = 1;
            while (socket.hasReceiveMore()) {
                byte[] f = socket.recv(0);
                if (n < frames.length) {
                    frames[n++] = f;
                }
            }
            // version, request id, domain, address, routing id, mechanism, credentials...
            byte[] requestId = n > 1 ? frames[1] : new byte[0];
            String mechanism = n > 5 ? new String(frames[5], ZMQ.CHARSET) : "";
            String clientKey = n > 6 && frames[6].length == ZMQ.Curve.KEY_SIZE ? ZMQ.Curve.z85Encode(frames[6]) : "";
            String address = n > 3 ? new String(frames[3], ZMQ.CHARSET) : "";
            Optional<Caller> caller = "CURVE".equals(mechanism) && !clientKey.isEmpty() ? callerOf(clientKey) : Optional.empty();
            boolean allowed = caller.isPresent();
            if (!allowed) {
                log.debug("{}: refused {} client {} with key {}", nodeId, mechanism, address, clientKey);
                refused.accept(address, mechanism + " key " + (clientKey.isEmpty() ? "(none)" : clientKey) + " is not enrolled");
            }
            socket.send("1.0", ZMQ.SNDMORE);
            socket.send(requestId, ZMQ.SNDMORE);
            socket.send(allowed ? "200" : "400", ZMQ.SNDMORE);
            socket.send(allowed ? "OK" : "client key not allowed", ZMQ.SNDMORE);
            socket.send(allowed ? clientKey : "", ZMQ.SNDMORE);
            socket.send(new byte[0], 0);
            caller.ifPresent(this::tell);
        }
    }

    private Optional<Caller> callerOf(String clientKey) {
        try {
            return keys.callerOf(clientKey);
        } catch (RuntimeException e) {
            log.warn("{}: key lookup failed, client refused", nodeId, e);
            return Optional.empty();
        }
    }

    private void tell(Caller caller) {
        try {
            admitted.accept(caller);
        } catch (RuntimeException e) {
            log.warn("{}: the listener of admitted connections failed for {}", nodeId, caller.name(), e);
        }
    }
}
