package dev.tendril.cli;

import dev.tendril.protocol.codec.DecodeResult;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.transport.CurveKeyPair;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Sends mutated frames ({@link FrameMutator}) to one ZeroMQ plane from a DEALER that holds an
 * enrolled CURVE key, so they pass the handshake and reach the decoder, the policy and the
 * handlers; every {@code probeEvery} frames a valid request follows whose reply must come.
 * Replies to the mutated frames are drained and counted. A probe not answered in 5 s is sent
 * again with the same id (the server answers a repeated id once; a connection dropped for an
 * oversized frame loses what was queued on it), at most twice, then on up to three fresh
 * connections (counted apart); only a probe that never gets its reply counts as missing.
 */
final class FrameFuzzer {
    record Plane(String name, String endpoint, String serverKey, CurveKeyPair clientKeys, int oversizedBytes,
                 List<byte[]> seeds, String identity, Supplier<Envelope> probe, Predicate<Message> answered) {
    }

    record Figures(String plane, long frames, long multipart, long bytes, long replies, long probesSent, long probesAnswered,
                   long probesRetried, long probesOnFreshConnection, long probesWrong, long probesMissing, long slowestProbeMillis, long filtered,
                   double seconds, String lastProblem) {
        String line() {
            return String.format(Locale.ROOT, "ZeroMQ %s: %,d mutated frames (%,d of them in multi-part messages, %,d bytes) in "
                            + "%.1f s (%,.0f/s), %,d replies, probes answered %,d/%,d (resent %d times, answered on a fresh "
                            + "connection %d, wrong %d, missing %d, slowest %d ms)%s",
                    plane, frames, multipart, bytes, seconds, frames / seconds, replies, probesAnswered, probesSent, probesRetried,
                    probesOnFreshConnection, probesWrong, probesMissing, slowestProbeMillis, lastProblem.isEmpty() ? "" : "; last problem: " + lastProblem);
        }
    }

    private static final FrameCodec CODEC = FrameCodec.standard();

    private FrameFuzzer() {
    }

    static Figures run(Plane plane, long frames, int probeEvery, long seed) {
        FrameMutator mutator = new FrameMutator(plane.seeds(), plane.identity(), plane.oversizedBytes(), seed);
        long sent = 0;
        long multipart = 0;
        long bytes = 0;
        long[] replies = {0};
        long probes = 0;
        long answered = 0;
        long retried = 0;
        long fresh = 0;
        long wrong = 0;
        long missing = 0;
        long slowest = 0;
        String problem = "";
        long t0 = System.nanoTime();
        try (ZContext context = new ZContext(1)) {
            ZMQ.Socket socket = dealer(context, plane.endpoint(), Optional.of(plane.clientKeys()), plane.serverKey(), 10_000);
            while (sent < frames) {
                for (int i = 0; i < probeEvery && sent < frames; i++) {
                    if (mutator.random().nextInt(50) == 0) {
                        List<byte[]> parts = mutator.parts();
                        for (int p = 0; p < parts.size(); p++) {
                            socket.send(parts.get(p), p < parts.size() - 1 ? ZMQ.SNDMORE : 0);
                            bytes += parts.get(p).length;
                        }
                        sent += parts.size();
                        multipart += parts.size();
                    } else {
                        byte[] f = mutator.next();
                        if (!socket.send(f, 0)) {
                            problem = "a send blocked for 10 s after " + sent + " frames";
                            break;
                        }
                        sent++;
                        bytes += f.length;
                    }
                    drain(socket, replies);
                }
                Envelope probe = plane.probe().get();
                probes++;
                long p0 = System.nanoTime();
                Optional<Message> reply = Optional.empty();
                for (int attempt = 0; attempt < 3 && reply.isEmpty(); attempt++) {
                    if (attempt > 0) {
                        retried++;
                    }
                    socket.send(CODEC.encode(probe), 0);
                    reply = awaitReply(socket, probe, replies, 5_000);
                }
                if (reply.isEmpty()) {
                    // the fuzzing connection may be gone (a frame over the limit drops it) or stalled on reconnecting
                    // (JeroMQ 0.6.0's connect race): ask again on fresh connections, as any client would
                    for (int attempt = 0; attempt < 3 && reply.isEmpty(); attempt++) {
                        context.destroySocket(socket);
                        socket = dealer(context, plane.endpoint(), Optional.of(plane.clientKeys()), plane.serverKey(), 10_000);
                        socket.send(CODEC.encode(probe), 0);
                        reply = awaitReply(socket, probe, replies, 5_000);
                    }
                    if (reply.isPresent()) {
                        fresh++;
                        problem = "probe " + probe.kind() + " after " + sent + " frames answered only on a fresh connection";
                    }
                }
                slowest = Math.max(slowest, (System.nanoTime() - p0) / 1_000_000);
                if (reply.isEmpty()) {
                    missing++;
                    problem = "probe " + probe.kind() + " not answered after " + sent + " frames";
                } else if (plane.answered().test(reply.get())) {
                    answered++;
                } else {
                    wrong++;
                    problem = "probe " + probe.kind() + " answered " + reply.get();
                }
                if (!problem.isEmpty() && problem.startsWith("a send blocked")) {
                    break;
                }
            }
        }
        return new Figures(plane.name(), sent, multipart, bytes, replies[0], probes, answered, retried, fresh, wrong, missing,
                slowest, mutator.filtered, (System.nanoTime() - t0) / 1e9, problem);
    }

    /** A client that holds no enrolled key: none, or {@code key}. */
    record Stranger(String endpoint, Optional<CurveKeyPair> key, String serverKey) {
    }

    /** The same frames from each stranger, all at once; none may be answered. Returns the replies received. */
    static long strangers(List<Stranger> strangers, List<byte[]> frames) {
        long replies = 0;
        try (ZContext context = new ZContext(1)) {
            List<ZMQ.Socket> sockets = new java.util.ArrayList<>();
            for (Stranger s : strangers) {
                sockets.add(dealer(context, s.endpoint(), s.key(), s.serverKey(), 0));
            }
            for (ZMQ.Socket socket : sockets) {
                for (byte[] f : frames) {
                    if (!socket.send(f, ZMQ.DONTWAIT)) {
                        break; // no connection came up (refused at the handshake) and the queue is full
                    }
                }
            }
            long deadline = System.nanoTime() + 1_500_000_000L;
            try (ZMQ.Poller poller = context.createPoller(sockets.size())) {
                sockets.forEach(socket -> poller.register(socket, ZMQ.Poller.POLLIN));
                long left;
                while ((left = (deadline - System.nanoTime()) / 1_000_000) > 0) {
                    poller.poll(left);
                    for (ZMQ.Socket socket : sockets) {
                        while (socket.recv(ZMQ.DONTWAIT) != null) {
                            replies++;
                        }
                    }
                }
            }
        }
        return replies;
    }

    private static ZMQ.Socket dealer(ZContext context, String endpoint, Optional<CurveKeyPair> key, String serverKey, int sendTimeout) {
        ZMQ.Socket s = context.createSocket(SocketType.DEALER);
        s.setLinger(0);
        s.setSendTimeOut(sendTimeout);
        s.setReceiveTimeOut(0);
        s.setHWM(10_000);
        key.ifPresent(k -> {
            s.setCurvePublicKey(ZMQ.Curve.z85Decode(k.publicKey()));
            s.setCurveSecretKey(ZMQ.Curve.z85Decode(k.secretKey()));
            s.setCurveServerKey(ZMQ.Curve.z85Decode(serverKey));
        });
        s.connect(endpoint);
        return s;
    }

    private static void drain(ZMQ.Socket socket, long[] replies) {
        while (socket.recv(ZMQ.DONTWAIT) != null) {
            replies[0]++;
        }
    }

    private static Optional<Message> awaitReply(ZMQ.Socket socket, Envelope probe, long[] replies, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            socket.setReceiveTimeOut((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            byte[] r = socket.recv(0);
            if (r == null) {
                break;
            }
            replies[0]++;
            if (CODEC.decode(r) instanceof DecodeResult.Decoded d && d.envelope().id().equals(probe.id())) {
                socket.setReceiveTimeOut(0);
                return Optional.of(d.envelope().body());
            }
        }
        socket.setReceiveTimeOut(0);
        return Optional.empty();
    }
}
