package dev.tendril.edge.adapter.out.zmq;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.LaterHandler;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestServer;
import dev.tendril.protocol.transport.ServerOptions;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A held call over real ZeroMQ sockets: no thread of the caller waits for the root's answer. */
class ZmqRootControlTest {
    private static final NodeInfo REPLICA = new NodeInfo("p5", "192.0.2.5", new GeoPoint(48.1, 11.6), List.of(), 7400);

    @Test
    void aHeldCallCompletesWhenTheRootAnswersLater() throws Exception {
        CompletableFuture<Message> held = new CompletableFuture<>();
        LaterHandler root = (request, caller) -> request.body() instanceof RootMessage.RegistrationWatch
                ? held : CompletableFuture.completedFuture(new RootMessage.Ack());
        try (RequestServer server = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root"), root, Clock.systemUTC());
             PipelinedClient client = new PipelinedClient("origin")) {
            ZmqRootControl control = control(server, client);

            CompletableFuture<Optional<Message>> reply = control.callHeldLater("web",
                    new RootMessage.RegistrationWatch("web", "p5", 10_000), Duration.ofSeconds(12));
            // the same client still answers other calls meanwhile: nothing waits behind the held one
            assertEquals(Optional.of(new RootMessage.Ack()), control.call("web", new RootMessage.HostedSetQuery("web")));
            assertFalse(reply.isDone(), "held until the root answers");

            RootMessage.RegistrationSeen seen = new RootMessage.RegistrationSeen("web", "p5", Optional.of(REPLICA), "");
            held.complete(seen);
            assertEquals(Optional.of(seen), reply.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aHeldCallWithoutAnAnswerInTimeCompletesEmpty() throws Exception {
        LaterHandler silent = (request, caller) -> new CompletableFuture<>();
        try (RequestServer server = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root"), silent, Clock.systemUTC());
             PipelinedClient client = new PipelinedClient("origin")) {
            CompletableFuture<Optional<Message>> reply = control(server, client).callHeldLater("web",
                    new RootMessage.RegistrationWatch("web", "p5", 100), Duration.ofMillis(300));
            assertEquals(Optional.empty(), reply.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClosedClientCompletesTheHeldCallEmpty() throws Exception {
        LaterHandler silent = (request, caller) -> new CompletableFuture<>();
        try (RequestServer server = RequestServer.start(ServerOptions.of("tcp://127.0.0.1:0", "root"), silent, Clock.systemUTC())) {
            PipelinedClient client = new PipelinedClient("origin");
            CompletableFuture<Optional<Message>> reply = control(server, client).callHeldLater("web",
                    new RootMessage.RegistrationWatch("web", "p5", 10_000), Duration.ofSeconds(12));
            client.close();
            assertEquals(Optional.empty(), reply.get(10, TimeUnit.SECONDS), "a node closing does not leave it hanging");
        }
    }

    private static ZmqRootControl control(RequestServer server, PipelinedClient client) {
        return new ZmqRootControl(List.of(new Endpoint("127.0.0.1", server.port())), "origin", Clock.systemUTC(),
                new SplittableRandom(1), Duration.ofSeconds(2), 2, client);
    }
}
