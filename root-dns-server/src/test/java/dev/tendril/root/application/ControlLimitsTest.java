package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.root.testing.ControlHarness;
import dev.tendril.root.testing.InMemoryTopologyRepository;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.tendril.root.testing.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** What one control request may ask and how much state all may leave: each limit, table-style. */
class ControlLimitsTest {
    /** Small quotas so the tables can reach them: 3 records per service, 5 in total, 3 nodes per tree, 2 trees per platform. */
    private static final ControlLimits SMALL = new ControlLimits(16, 32, Duration.ofHours(1), 4, 3, 5, 3, 2);

    private static ControlHarness root() {
        ControlHarness root = new ControlHarness(new InMemoryTopologyRepository(), 4, SMALL);
        root.createTree("web", "tokyo", TOKYO);
        root.register("web", "berlin", BERLIN);
        root.createTree("api", "paris", PARIS);
        return root;
    }

    private static RecordMigration migrate(String target, long lifetimeMillis, String... subnets) {
        return new RecordMigration("web", List.of(subnets), target, lifetimeMillis);
    }

    static Stream<Arguments> migrations() {
        long hour = 3_600_000;
        return Stream.of(
                Arguments.of("a /16 is as wide as allowed", migrate("berlin", 1_000, "10.1.0.0/16"), "ACK", null),
                Arguments.of("a /15 is too wide", migrate("berlin", 1_000, "10.0.0.0/15"), "LIMIT", RecordClientMigration.TOO_WIDE),
                Arguments.of("0.0.0.0/0 is too wide", migrate("berlin", 1_000, "0.0.0.0/0"), "LIMIT", RecordClientMigration.TOO_WIDE),
                Arguments.of("an IPv6 /32 is allowed", migrate("berlin", 1_000, "2001:db8::/32"), "ACK", null),
                Arguments.of("::/0 is too wide", migrate("berlin", 1_000, "::/0"), "LIMIT", RecordClientMigration.TOO_WIDE),
                Arguments.of("one wide subnet refuses the cluster", migrate("berlin", 1_000, "10.1.0.0/24", "10.0.0.0/8"), "LIMIT",
                        RecordClientMigration.TOO_WIDE),
                Arguments.of("a lifetime of 1 h is allowed", migrate("berlin", hour, "10.1.0.0/24"), "ACK", null),
                Arguments.of("1 h and 1 ms is too long", migrate("berlin", hour + 1, "10.1.0.0/24"), "LIMIT", RecordClientMigration.TOO_LONG),
                Arguments.of("Long.MAX_VALUE is too long", migrate("berlin", Long.MAX_VALUE, "10.1.0.0/24"), "LIMIT",
                        RecordClientMigration.TOO_LONG),
                Arguments.of("4 subnets are allowed", migrate("berlin", 1_000, "10.1.0.1", "10.1.0.2", "10.1.0.3"), "ACK", null),
                Arguments.of("5 subnets are too many", migrate("berlin", 1_000, "10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4",
                        "10.1.0.5"), "LIMIT", RecordClientMigration.TOO_MANY_SUBNETS),
                Arguments.of("a down target is refused", migrate("down", 1_000, "10.1.0.0/24"), "LIMIT", RecordClientMigration.NOT_LIVE),
                Arguments.of("a node of another tree is not found", migrate("paris", 1_000, "10.1.0.0/24"), "NOT_FOUND", null),
                Arguments.of("a bad subnet is invalid", migrate("berlin", 1_000, "10.1.0.0/40"), "INVALID",
                        RecordClientMigration.BAD_SUBNET));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("migrations")
    void eachMigrationLimit(String what, RecordMigration request, String expected, String reason) {
        ControlHarness root = root();
        root.register("web", "down", MUNICH);
        root.send(new NodeState("web", "down", false));
        RootMessage reply = root.send(request);
        if (expected.equals("ACK")) {
            assertEquals(new Ack(), reply, what);
            assertEquals(request.clients().size(), root.repository.migrations("web").size());
        } else {
            assertEquals(expected, ((ErrorReply) reply).code(), what + ": " + reply);
            assertEquals(List.of(), root.repository.migrations(""), "nothing written");
            assertEquals(0, root.directory.migrationCount(), "nothing reaches DNS");
        }
        if (reason != null) {
            assertEquals(1, root.refusals.total(reason), what + ": counted under " + reason + " " + root.refusals.counts());
        }
    }

    @Test
    void theQuotaPerServiceCountsRecordsNotRequestsAndAReplacementIsFree() {
        ControlHarness root = root();
        assertEquals(new Ack(), root.send(migrate("berlin", 1_000, "10.1.0.1", "10.1.0.2")));
        ErrorReply over = (ErrorReply) root.send(migrate("berlin", 1_000, "10.1.0.3", "10.1.0.4"));
        assertEquals("LIMIT", over.code());
        assertTrue(over.message().contains("maxMigrationsPerService"), over.message());
        assertEquals(1, root.refusals.total(RecordClientMigration.SERVICE_QUOTA));
        assertEquals(new Ack(), root.send(migrate("berlin", 1_000, "10.1.0.3")), "the third record fits");
        assertEquals(new Ack(), root.send(migrate("tokyo", 2_000, "10.1.0.1", "10.1.0.2", "10.1.0.3")),
                "re-recording subnets already held adds nothing");
        assertEquals(3, root.repository.migrationCount("web"));
    }

    @Test
    void theTotalQuotaSpansServices() {
        ControlHarness root = root();
        root.register("api", "rome", MUNICH);
        assertEquals(new Ack(), root.send(migrate("berlin", 1_000, "10.1.0.1", "10.1.0.2", "10.1.0.3")));
        assertEquals(new Ack(), root.send(new RecordMigration("api", List.of("10.2.0.1", "10.2.0.2"), "rome", 1_000)));
        ErrorReply over = (ErrorReply) root.send(new RecordMigration("api", List.of("10.2.0.3"), "rome", 1_000));
        assertEquals("LIMIT", over.code());
        assertTrue(over.message().contains("maxMigrationsTotal"), over.message());
        assertEquals(1, root.refusals.total(RecordClientMigration.TOTAL_QUOTA));
        assertEquals(5, root.repository.migrationCount(""));
    }

    @Test
    void aFloodOfMigrationsStaysWithinTheQuota() {
        ControlHarness root = root();
        List<RootMessage> replies = new ArrayList<>();
        IntStream.range(0, 1_000).forEach(i -> replies.add(root.send(migrate("berlin", 60_000,
                "10." + (i / 250) + "." + (i % 250) + ".0/24"))));
        assertEquals(3, replies.stream().filter(r -> r instanceof Ack).count());
        assertEquals(3, root.repository.migrationCount(""));
        assertEquals(997, root.refusals.total(RecordClientMigration.SERVICE_QUOTA));
    }

    static Stream<Arguments> registrations() {
        return Stream.of(
                Arguments.of("a third node joins web", new RegisterNode("web", info("munich", MUNICH)), "REGISTERED",
                        null),
                Arguments.of("a platform already in two trees may not join a third", new RegisterNode("web", info("paris", PARIS)),
                        "LIMIT", InstanceQuota.PER_PLATFORM),
                Arguments.of("nor create one", new CreateTree("cache", info("tokyo", TOKYO)), "LIMIT", InstanceQuota.PER_PLATFORM),
                Arguments.of("a known node re-registers", new RegisterNode("web", info("berlin", BERLIN)), "REGISTERED", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registrations")
    void eachInstanceQuota(String what, RootMessage request, String expected, String reason) {
        ControlHarness root = root();
        root.register("api", "tokyo", TOKYO); // tokyo is now in two trees (web, api)
        root.createTree("db", "paris", PARIS); // and paris (api, db)
        RootMessage reply = root.send(request);
        if (expected.equals("REGISTERED")) {
            assertInstanceOf(Registered.class, reply, what);
        } else {
            assertEquals(expected, ((ErrorReply) reply).code(), what + ": " + reply);
        }
        if (reason != null) {
            assertEquals(1, root.refusals.total(reason), what + " " + root.refusals.counts());
        }
    }

    @Test
    void aTreeAtItsQuotaRefusesNewNodesButKeepsItsOwn() {
        ControlHarness root = root();
        root.register("web", "munich", MUNICH); // 3 nodes: full
        ErrorReply full = (ErrorReply) root.send(new RegisterNode("web", info("sydney", SYDNEY)));
        assertEquals("LIMIT", full.code());
        assertTrue(full.message().contains("maxInstancesPerService"), full.message());
        assertEquals(1, root.refusals.total(InstanceQuota.PER_SERVICE));
        assertInstanceOf(Registered.class, root.send(new RegisterNode("web", info("munich", MUNICH))), "a retry still works");
        assertEquals(3, root.repository.nodeCount("web"));
    }
}
