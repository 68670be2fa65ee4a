package dev.tendril.edge.selforg.adapter.out.zmq;

import dev.tendril.edge.domain.Hardware;
import dev.tendril.edge.domain.InfrastructureDb;
import dev.tendril.edge.domain.Platform;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.message.SelfOrgMessage.Replicate;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.spec.Arch;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A replication candidate is reached at its configured tree port (not this node's), over real ZeroMQ on loopback. */
class ZmqTreeMessengerTest {
    record Received(String from, SelfOrgMessage message) {
    }

    @Test
    void aPlatformIsReachedAtItsConfiguredTreePort() throws Exception {
        BlockingQueue<Replicate> requests = new LinkedBlockingQueue<>();
        try (RequestServer candidate = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "garching"), req -> {
            Replicate r = (Replicate) req.body();
            requests.add(r);
            return new ReplicateReply(r.service(), r.requestId(), ReplicateReply.ACCEPTED, "deploying", Optional.empty());
        }, Clock.systemUTC())) {
            Platform garching = new Platform("garching", "garching", "127.0.0.1", new GeoPoint(48.25, 11.65),
                    new Hardware(Arch.AMD64, 4, 8L << 30, 0, 0), Map.of(), candidate.port());
            InfrastructureDb infra = new InfrastructureDb(List.of(garching));
            BlockingQueue<Received> replies = new LinkedBlockingQueue<>();
            int unusedDefault = candidate.port() == 1 ? 2 : 1; // nothing listens there: a send to the default port is lost
            try (PipelinedClient client = new PipelinedClient("munich")) {
                ZmqTreeMessenger messenger = new ZmqTreeMessenger("munich", Clock.systemUTC(), new SecureRandom(), infra,
                        unusedDefault, Duration.ofSeconds(2), 1, (from, m) -> replies.add(new Received(from, m)), client);
                NodeInfo munich = new NodeInfo("munich", "127.0.0.1", new GeoPoint(48.14, 11.58), List.of(), 7400);
                messenger.sendToPlatform("garching", new Replicate("web", "rep-munich-1-abcd", munich, "spec: web"));

                Replicate got = requests.poll(10, TimeUnit.SECONDS);
                assertNotNull(got, "the candidate got the request on its tree port " + candidate.port());
                assertEquals("rep-munich-1-abcd", got.requestId());
                Received reply = replies.poll(10, TimeUnit.SECONDS);
                assertNotNull(reply, "the reply came back");
                assertEquals("garching", reply.from());
                assertEquals(ReplicateReply.ACCEPTED, assertInstanceOf(ReplicateReply.class, reply.message()).status());
            }
        }
    }
}
