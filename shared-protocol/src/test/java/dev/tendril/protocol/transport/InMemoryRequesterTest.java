package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.EnvelopeFactory;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InMemoryRequesterTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void repliesThroughTheCodecAndCanBeMadeUnreachable() {
        InMemoryRequester requester = new InMemoryRequester(
                req -> new HostedSet(((HostedSetQuery) req.body()).service(), List.of("munich-1")), "root-1", CLOCK);
        Envelope request = new EnvelopeFactory("edge-1", CLOCK, new SplittableRandom(1)).create("web", new HostedSetQuery("web"));

        RequestResult.Reply reply = (RequestResult.Reply) requester.request(request);
        assertEquals(request.id(), reply.envelope().id());
        assertEquals("root-1", reply.envelope().from());
        assertEquals(new HostedSet("web", List.of("munich-1")), reply.envelope().body());

        requester.unreachable(true);
        assertEquals(new RequestResult.TimedOut(1), requester.request(request));
    }
}
