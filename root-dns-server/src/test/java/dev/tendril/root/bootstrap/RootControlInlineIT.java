package dev.tendril.root.bootstrap;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.protocol.transport.ServerStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The root as {@link RootProcess} wires it (a single root, the shipped preset) takes the
 * topology requests on its control socket's thread: no handler thread between the socket and
 * the writer. The wiring once wrapped the writer in a port that kept the interface's default
 * ({@code handsOnWithoutWaiting} false), and every registration paid a handler thread's
 * wake-up; the endpoint's own tests, built on the writer directly, did not see it.
 */
class RootControlInlineIT {
    @TempDir
    Path dir;

    @Test
    void aSingleRootTakesRegistrationsOnItsSocketThreadAndItsCountersOnHandlerThreads() {
        RootConfig config = RootConfigReader.read(RootConfigReader.BUILTIN_DEMO, List.of("store.path=" + dir.resolve("t.db"),
                "store.sync=NORMAL", "dns.port=0", "control.port=0", "dns.ioThreads=1"), dir).orThrow();
        try (RootProcess root = RootProcess.start(config, Clock.systemUTC());
             ControlCalls calls = new ControlCalls(root.controlEndpoint(), "inline-check")) {
            assertInstanceOf(RootMessage.Registered.class, calls.call(new RootMessage.CreateTree("web", node("top"))));
            assertInstanceOf(RootMessage.Registered.class, calls.call(new RootMessage.RegisterNode("web", node("n1"))));
            assertInstanceOf(RootMessage.HostedSet.class, calls.call(new RootMessage.HostedSetQuery("web")));
            ServerStats topology = root.controlEndpointAdapter().stats();
            assertEquals(3, topology.inline(), "create, register and the hosted set on the socket's thread: " + topology);

            RootMessage.RootStats stats = (RootMessage.RootStats) calls.call(new RootMessage.RootStatsQuery());
            assertTrue(stats.counters().stream().anyMatch(f -> f.name().equals("control.handledInline") && f.value().equals("3")),
                    "tendrilctl root stats shows it: " + stats);
            assertInstanceOf(RootMessage.RootsStatus.class, calls.call(new RootMessage.RootsQuery()));
            ServerStats after = root.controlEndpointAdapter().stats();
            assertEquals(3, after.inline(), "the counters and the roots' status stay on handler threads: " + after);
            assertEquals(topology.handled() + 2, after.handled(), after.toString());
        }
    }

    private static NodeInfo node(String id) {
        return new NodeInfo(id, "192.0.2." + (1 + (id.hashCode() & 0x7f)), new GeoPoint(48.1, 11.6),
                List.of(new ServicePort("http", "tcp", 8080)), 7400);
    }
}
