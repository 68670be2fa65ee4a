package dev.tendril.edge.adapter.out.metrics;

import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.protocol.http.PrometheusText;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Self-organization events are counted by kind and timed (decided -> recorded) as they are recorded. */
class PrometheusEdgeMetricsTest {
    @Test
    void eventsAreCountedByKindAndMigrationsTimed() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Clock[] clock = {Clock.fixed(t0, ZoneOffset.UTC)};
        EventLog log = new EventLog("munich-1", new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return clock[0].instant();
            }
        }, 100, false);
        PrometheusEdgeMetrics metrics = new PrometheusEdgeMetrics("munich-1");
        metrics.bindEvents(log);

        log.record("web", EventKind.MIGRATION_DECIDED, "s-1", "cluster 198.18.3.0/24");
        log.record("web", EventKind.SEARCH_FORWARDED, "s-1", "to berlin-1");
        clock[0] = Clock.fixed(t0.plus(Duration.ofMillis(300)), ZoneOffset.UTC);
        log.record("web", EventKind.MIGRATION_RECORDED, "s-1", "to tokyo-1");
        log.record("web", EventKind.MIGRATION_DECIDED, "s-2", "another cluster, still searching");

        PrometheusText text = PrometheusText.parse(metrics.scrape());
        assertEquals(2.0, text.sum("tendril_edge_selforg_events_total", Map.of("kind", "migration_decided")));
        assertEquals(1.0, text.sum("tendril_edge_selforg_events_total", Map.of("kind", "migration_recorded")));
        assertEquals(0.0, text.sum("tendril_edge_selforg_events_total", Map.of("kind", "replication_decided")));
        assertEquals(1.0, text.sum("tendril_edge_time_to_migrate_seconds_count", Map.of()));
        assertEquals(0.3, text.sum("tendril_edge_time_to_migrate_seconds_sum", Map.of()), 1e-9);
        assertEquals(0.0, text.sum("tendril_edge_time_to_migrate_seconds_bucket", Map.of("le", "0.25")));
        assertEquals(1.0, text.sum("tendril_edge_time_to_migrate_seconds_bucket", Map.of("le", "0.5")));
        assertEquals(0.0, text.sum("tendril_edge_time_to_replicate_seconds_count", Map.of()));
    }

    @Test
    void socketRefusalsAreExported() {
        PrometheusEdgeMetrics metrics = new PrometheusEdgeMetrics("munich-1");
        dev.tendril.protocol.transport.ServerStats stats = new dev.tendril.protocol.transport.ServerStats(
                10, 9, 0, 1, 0, 0, 0, 0, 0, 9, 3, 2, 4, 5);
        metrics.bindSocket("tree", () -> stats);
        PrometheusText text = PrometheusText.parse(metrics.scrape());
        assertEquals(3.0, text.sum("tendril_edge_socket_frames_total", Map.of("socket", "tree", "outcome", "refused_connection")));
        assertEquals(2.0, text.sum("tendril_edge_socket_frames_total", Map.of("socket", "tree", "outcome", "refused_key")));
        assertEquals(4.0, text.sum("tendril_edge_socket_frames_total", Map.of("socket", "tree", "outcome", "forbidden")));
        assertEquals(5.0, text.sum("tendril_edge_socket_frames_total", Map.of("socket", "tree", "outcome", "failed_handshake")));
    }
}
