import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

import java.util.Arrays;

/**
 * Fresh CURVE connections on loopback, one after the other: a DEALER connects to a ROUTER that
 * echoes, sends one frame, waits for it back, closes. Prints connect-to-first-reply p50 and p90
 * (both handshake sides run in this JVM). See run.sh: jnacl's own Curve25519 against the JDK's.
 */
public final class HandshakeBench {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
        try (ZContext context = new ZContext(1)) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setCurveServer(true);
            router.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
            int port = router.bindToRandomPort("tcp://127.0.0.1");
            Thread echo = new Thread(() -> {
                try {
                    while (true) {
                        ZMsg.recvMsg(router).send(router);
                    }
                } catch (RuntimeException closed) {
                    // context terminated at the end
                }
            });
            echo.setDaemon(true);
            echo.start();
            long[] micros = new long[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
                dealer.setCurveServerKey(ZMQ.Curve.z85Decode(server.publicKey));
                dealer.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
                dealer.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
                dealer.setLinger(0);
                dealer.connect("tcp://127.0.0.1:" + port);
                dealer.send("x");
                dealer.recv();
                micros[i] = (System.nanoTime() - t0) / 1_000;
                context.destroySocket(dealer);
            }
            Arrays.sort(micros);
            System.out.printf("%d fresh CURVE connections, connect to first reply: p50 %.1f ms, p90 %.1f ms%n", n,
                    micros[n / 2] / 1000.0, micros[n * 9 / 10] / 1000.0);
        }
        System.exit(0);
    }
}
