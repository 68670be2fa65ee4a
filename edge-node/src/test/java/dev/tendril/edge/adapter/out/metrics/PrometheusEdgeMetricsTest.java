package dev.tendril.edge.adapter.out.metrics;

import dev.tendril.edge.selforg.adapter.in.loop.SelfOrgLoop;
import dev.tendril.edge.selforg.domain.EventKind;
import dev.tendril.edge.selforg.domain.EventLog;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.http.PrometheusText;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.SelfOrgMessage;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void eventsBeforeAndAfterTheFirstScrapeAreCountedAndTimed() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Instant[] now = {t0};
        EventLog log = new EventLog("munich-1", clockOf(now), 2, false); // keeps 2: the decision drops out
        PrometheusEdgeMetrics metrics = new PrometheusEdgeMetrics("munich-1");
        metrics.bindEvents(log);
        log.record("web", EventKind.REPLICATION_DECIDED, "r-1", "cluster 198.18.3.0/24");
        now[0] = t0.plusMillis(700);
        log.record("web", EventKind.REPLICA_REGISTERED, "r-1", "on tokyo-1", 200);
        for (int i = 0; i < 3; i++) {
            log.record("web", EventKind.SEARCH_FORWARDED, "s-" + i, "to berlin-1"); // the decision is no longer in the log
        }
        assertFalse(metrics.built(), "nothing scraped yet: no registry");

        PrometheusText first = PrometheusText.parse(metrics.scrape());
        assertTrue(metrics.built());
        assertEquals(1.0, first.sum("tendril_edge_selforg_events_total", Map.of("kind", "replication_decided")));
        assertEquals(3.0, first.sum("tendril_edge_selforg_events_total", Map.of("kind", "search_forwarded")));
        assertEquals(1.0, first.sum("tendril_edge_time_to_replicate_seconds_count", Map.of()));
        assertEquals(0.5, first.sum("tendril_edge_time_to_replicate_seconds_sum", Map.of()), 1e-9);
        assertEquals(0.2, first.sum("tendril_edge_replica_container_start_seconds_sum", Map.of()), 1e-9);

        log.record("web", EventKind.REPLICATION_DECIDED, "r-2", "another cluster");
        now[0] = t0.plusMillis(1_000);
        log.record("web", EventKind.REPLICA_REGISTERED, "r-2", "on osaka-1", 0);
        PrometheusText second = PrometheusText.parse(metrics.scrape());
        assertEquals(2.0, second.sum("tendril_edge_selforg_events_total", Map.of("kind", "replication_decided")));
        assertEquals(2.0, second.sum("tendril_edge_time_to_replicate_seconds_count", Map.of()));
        assertEquals(0.8, second.sum("tendril_edge_time_to_replicate_seconds_sum", Map.of()), 1e-9);
        assertEquals(2.0, second.sum("tendril_edge_time_to_replicate_seconds_bucket", Map.of("le", "0.5")));
    }

    @Test
    void aFullListOfUnscrapedTimingsBuildsTheRegistryAndLosesNone() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Instant[] now = {t0};
        EventLog log = new EventLog("munich-1", clockOf(now), 10, false);
        PrometheusEdgeMetrics metrics = new PrometheusEdgeMetrics("munich-1");
        metrics.bindEvents(log);
        int n = PrometheusEdgeMetrics.MAX_PENDING_TIMINGS + 5;
        for (int i = 0; i < n; i++) {
            now[0] = t0;
            log.record("web", EventKind.MIGRATION_DECIDED, "s-" + i, "cluster");
            now[0] = t0.plusMillis(100);
            log.record("web", EventKind.MIGRATION_RECORDED, "s-" + i, "to tokyo-1");
            if (i == PrometheusEdgeMetrics.MAX_PENDING_TIMINGS - 1) {
                assertFalse(metrics.built(), "the list holds " + PrometheusEdgeMetrics.MAX_PENDING_TIMINGS + " timings");
            }
        }
        assertTrue(metrics.built(), "one more timing than the list holds builds the registry");
        PrometheusText text = PrometheusText.parse(metrics.scrape());
        assertEquals(n, text.sum("tendril_edge_time_to_migrate_seconds_count", Map.of()));
        assertEquals(n * 0.1, text.sum("tendril_edge_time_to_migrate_seconds_sum", Map.of()), 1e-6);
        assertEquals(n, text.sum("tendril_edge_selforg_events_total", Map.of("kind", "migration_recorded")));
    }

    @Test
    void aBindingAfterTheFirstScrapeIsExported() {
        PrometheusEdgeMetrics metrics = new PrometheusEdgeMetrics("munich-1");
        metrics.scrape(); // /metrics may be scraped while the node is still starting
        dev.tendril.protocol.transport.ServerStats stats = new dev.tendril.protocol.transport.ServerStats(
                10, 9, 0, 1, 0, 0, 0, 0, 0, 9, 3, 2, 4, 5, 0);
        metrics.bindSocket("admin", () -> stats);
        PrometheusText text = PrometheusText.parse(metrics.scrape());
        assertEquals(10.0, text.sum("tendril_edge_socket_frames_total", Map.of("socket", "admin", "outcome", "received")));
    }

    @Test
    void theSelfOrganizationInboxIsExported() {
        java.util.Queue<Runnable> thread = new java.util.ArrayDeque<>(); // the loop's thread, run by hand
        dev.tendril.edge.selforg.adapter.in.loop.SelfOrgInbox inbox = new dev.tendril.edge.selforg.adapter.in.loop.SelfOrgInbox(
                "munich-1", thread::add, (from, m) -> {
                    if (((SelfOrgMessage.MigrationNotFound) m).requestId().equals("bad")) {
                        throw new IllegalStateException("broken handler");
                    }
                    return new RootMessage.Ack();
                }, 2, Duration.ofMillis(1));
        PrometheusEdgeMetrics metrics = new PrometheusEdgeMetrics("munich-1");
        metrics.bindSelfOrg(() -> SelfOrgLoop.Figures.of(inbox));

        inbox.receive(envelope(1, new SelfOrgMessage.MigrationNotFound("web", "bad", "p2", "none", 1)));
        inbox.receive(envelope(2, new SelfOrgMessage.MigrationNotFound("web", "good", "p2", "none", 1)));
        inbox.receive(envelope(3, new SelfOrgMessage.MigrationNotFound("web", "full", "p2", "none", 1))); // BUSY
        PrometheusText before = PrometheusText.parse(metrics.scrape());
        assertEquals(2.0, before.sum("tendril_edge_selforg_inbox_queued", Map.of()));
        assertEquals(1.0, before.sum("tendril_edge_selforg_inbox_busy_total", Map.of("reason", "queue_full")));
        assertEquals(0.0, before.sum("tendril_edge_selforg_inbox_busy_total", Map.of("reason", "reply_wait")));
        assertEquals(0.0, before.sum("tendril_edge_selforg_failures_total", Map.of("stage", "message")));

        while (!thread.isEmpty()) {
            thread.poll().run();
        }
        NodeInfo origin = new NodeInfo("p2", "10.0.0.2", new GeoPoint(52.5, 13.4), List.of(), 7400);
        inbox.receive(envelope(4, new SelfOrgMessage.Replicate("web", "rep-1", origin, "service: web"))); // not run in 1 ms
        PrometheusText after = PrometheusText.parse(metrics.scrape());
        assertEquals(1.0, after.sum("tendril_edge_selforg_inbox_queued", Map.of()), "the Replicate still waits");
        assertEquals(1.0, after.sum("tendril_edge_selforg_inbox_busy_total", Map.of("reason", "queue_full")));
        assertEquals(1.0, after.sum("tendril_edge_selforg_inbox_busy_total", Map.of("reason", "reply_wait")));
        assertEquals(1.0, after.sum("tendril_edge_selforg_failures_total", Map.of("stage", "message")));
        assertEquals(0.0, after.sum("tendril_edge_selforg_failures_total", Map.of("stage", "task")));
        assertEquals(0.0, after.sum("tendril_edge_selforg_failures_total", Map.of("stage", "round")));
        assertEquals(0.0, after.sum("tendril_edge_selforg_inbox_unsupported_total", Map.of()));

        inbox.receive(envelope(5, new RootMessage.Ack())); // not a self-organization message
        assertEquals(1.0, PrometheusText.parse(metrics.scrape()).sum("tendril_edge_selforg_inbox_unsupported_total", Map.of()));
    }

    private static Envelope envelope(int seq, Message body) {
        return new Envelope(new MessageId(1, seq), "web", "p2", 0L, body);
    }

    private static Clock clockOf(Instant[] now) {
        return new Clock() {
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
                return now[0];
            }
        };
    }

    @Test
    void socketRefusalsAreExported() {
        PrometheusEdgeMetrics metrics = new PrometheusEdgeMetrics("munich-1");
        dev.tendril.protocol.transport.ServerStats stats = new dev.tendril.protocol.transport.ServerStats(
                10, 9, 0, 1, 0, 0, 0, 0, 0, 9, 3, 2, 4, 5, 0);
        metrics.bindSocket("tree", () -> stats);
        PrometheusText text = PrometheusText.parse(metrics.scrape());
        assertEquals(3.0, text.sum("tendril_edge_socket_frames_total", Map.of("socket", "tree", "outcome", "refused_connection")));
        assertEquals(2.0, text.sum("tendril_edge_socket_frames_total", Map.of("socket", "tree", "outcome", "refused_key")));
        assertEquals(4.0, text.sum("tendril_edge_socket_frames_total", Map.of("socket", "tree", "outcome", "forbidden")));
        assertEquals(5.0, text.sum("tendril_edge_socket_frames_total", Map.of("socket", "tree", "outcome", "failed_handshake")));
    }
}
