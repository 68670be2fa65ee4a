package dev.tendril.edge.selforg.adapter.out.root;

import dev.tendril.protocol.message.RootMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class RootControlDirectoryTest {
    @Test
    void aLargeClusterIsRecordedInRequestsWithinTheRootsSubnetLimit() {
        List<RootMessage.RecordMigration> sent = new ArrayList<>();
        RootControlDirectory d = new RootControlDirectory((service, request) -> {
            sent.add((RootMessage.RecordMigration) request);
            return Optional.of(new RootMessage.Ack());
        });
        List<String> clients = IntStream.range(0, 150).mapToObj(i -> "10.0." + (i / 256) + "." + (i % 256)).toList();
        assertTrue(d.recordMigration("web", clients, "munich", Duration.ofMinutes(10)));
        assertEquals(List.of(64, 64, 22), sent.stream().map(r -> r.clients().size()).toList());
        assertEquals(clients, sent.stream().flatMap(r -> r.clients().stream()).toList());
    }

    @Test
    void aRefusedPartStopsTheRestAndReportsFailure() {
        List<RootMessage.RecordMigration> sent = new ArrayList<>();
        RootControlDirectory d = new RootControlDirectory((service, request) -> {
            sent.add((RootMessage.RecordMigration) request);
            return Optional.of(new RootMessage.ErrorReply("LIMIT", "quota"));
        });
        assertFalse(d.recordMigration("web", IntStream.range(0, 100).mapToObj(i -> "10.1.0." + i).toList(), "munich",
                Duration.ofMinutes(10)));
        assertEquals(1, sent.size());
    }
}
