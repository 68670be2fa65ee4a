import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.PipelinedClient;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What the edge's client thread adds to a request: the round trip of one small request to an
 * echoing ROUTER on loopback, sent (a) by the calling thread on its own DEALER (send, then a
 * blocking receive) and (b) through {@link PipelinedClient} (handed to the client's thread, which
 * sends and completes the caller's future), one request at a time with a 2 ms pause between, as a
 * node's occasional messages go. Prints p50 / p75 / p90 round trips in microseconds per round.
 * Run by bench/transport/run.sh with the edge's default JVM options.
 */
public final class HandOffBench {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        ZContext serverContext = new ZContext(1);
        ZMQ.Socket router = serverContext.createSocket(SocketType.ROUTER);
        int port = router.bindToRandomPort("tcp://127.0.0.1");
        Thread echo = new Thread(() -> {
            while (true) {
                byte[] id = router.recv(0);
                byte[] body = router.recv(0);
                router.send(id, ZMQ.SNDMORE);
                router.send(body, 0);
            }
        }, "echo");
        echo.setDaemon(true);
        echo.start();
        String endpoint = "tcp://127.0.0.1:" + port;
        ZContext callerContext = new ZContext(1);
        ZMQ.Socket dealer = callerContext.createSocket(SocketType.DEALER);
        dealer.connect(endpoint);
        PipelinedClient client = new PipelinedClient("bench");
        ClientOptions options = ClientOptions.of(endpoint);
        FrameCodec codec = FrameCodec.standard();
        SplittableRandom ids = new SplittableRandom(1);
        for (int round = 1; round <= rounds; round++) {
            long[] direct = new long[n];
            long[] handedOff = new long[n];
            for (int i = 0; i < n; i++) {
                byte[] frame = codec.encode(new Envelope(MessageId.random(ids), "web", "bench", 0, new RootMessage.Ack()));
                long t0 = System.nanoTime();
                dealer.send(frame, 0);
                dealer.recv(0);
                direct[i] = System.nanoTime() - t0;
                Thread.sleep(2);
                Envelope request = new Envelope(MessageId.random(ids), "web", "bench", 0, new RootMessage.Ack());
                t0 = System.nanoTime();
                client.request(options, request);
                handedOff[i] = System.nanoTime() - t0;
                Thread.sleep(2);
            }
            System.out.printf("round %d of %d requests: round trip us p50 / p75 / p90: own DEALER %s; through PipelinedClient %s"
                            + " (sent on the caller's thread so far: %d)%n",
                    round, n, quantiles(direct), quantiles(handedOff), client.sentByCaller());
        }
        System.exit(0);
    }

    private static String quantiles(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1000 + " / " + s[s.length * 3 / 4] / 1000 + " / " + s[s.length * 9 / 10] / 1000;
    }
}
