package dev.tendril.root.adapter.in.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tendril.protocol.http.StatusServer.Page;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.MigrationListing;
import dev.tendril.protocol.message.RootMessage.MigrationView;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeNodeView;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.root.application.map.DescribeMap;
import dev.tendril.root.application.map.RecentEvents;
import dev.tendril.root.application.map.TopologyEvent;
import dev.tendril.root.testing.MutableClock;
import dev.tendril.root.testing.TableGeoLocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.tendril.root.testing.Fixtures.MUNICH;
import static dev.tendril.root.testing.Fixtures.NEW_YORK;
import static dev.tendril.root.testing.Fixtures.TOKYO;
import static dev.tendril.root.testing.Fixtures.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MapPagesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final MutableClock clock = new MutableClock(1_790_000_000_000L);

    static RootMessage reads(RootMessage request) {
        if (request instanceof TreeQuery) {
            return new TreeListing(List.of(
                    new TreeNodeView("web", info("munich", MUNICH), "", true, 10),
                    new TreeNodeView("web", info("newyork", NEW_YORK), "munich", false, 20)));
        } else if (request instanceof MigrationsQuery) {
            return new MigrationListing(List.of(
                    new MigrationView("web", "10.3.0.0/16", "munich", 100, 60_100),
                    new MigrationView("web", "2001:db8::/48", "munich", 200, 60_200)));
        }
        return new ErrorReply("UNSUPPORTED", request.type().toString());
    }

    private MapPages attached() {
        RecentEvents events = new RecentEvents(5);
        events.add(new TopologyEvent(1_789_999_999_000L, TopologyEvent.Kind.NODE_DOWN, "web", "newyork", ""));
        events.add(new TopologyEvent(1_789_999_999_500L, TopologyEvent.Kind.MIGRATION_RECORDED, "web", "munich",
                "10.3.0.0/16 for 60 s"));
        MapPages pages = new MapPages("root-a");
        pages.attach(new DescribeMap("root-a", MapPagesTest::reads,
                new TableGeoLocator().add("10.3.0.0/16", TOKYO.latitude(), TOKYO.longitude(), "Tokyo"), events, clock));
        return pages;
    }

    @Test
    void apiMapParsesBackWithEveryField() throws Exception {
        Page page = attached().serve("/api/map").orElseThrow();
        assertEquals(200, page.status());
        assertEquals("application/json; charset=utf-8", page.contentType());
        JsonNode map = json.readTree(page.body());

        assertEquals("root-a", map.get("root").asText());
        assertEquals(1_790_000_000_000L, map.get("time").asLong());

        JsonNode top = map.get("instances").get(0);
        assertEquals("web", top.get("service").asText());
        assertEquals("munich", top.get("node").asText());
        assertEquals(info("munich", MUNICH).address(), top.get("address").asText());
        assertEquals(MUNICH.latitude(), top.get("lat").asDouble());
        assertEquals(MUNICH.longitude(), top.get("lon").asDouble());
        assertTrue(top.get("live").asBoolean());
        assertTrue(top.get("parent").isNull(), "the top node has no parent");
        assertEquals(10, top.get("registeredAt").asLong());
        JsonNode child = map.get("instances").get(1);
        assertEquals("munich", child.get("parent").asText());
        assertTrue(!child.get("live").asBoolean());
        assertEquals(2, map.get("instances").size());

        JsonNode located = map.get("migrations").get(0);
        assertEquals("10.3.0.0/16", located.get("client").asText());
        assertEquals(TOKYO.latitude(), located.get("clientPosition").get("lat").asDouble());
        assertEquals(TOKYO.longitude(), located.get("clientPosition").get("lon").asDouble());
        assertEquals("munich", located.get("target").asText());
        assertEquals(MUNICH.latitude(), located.get("targetPosition").get("lat").asDouble());
        assertEquals(100, located.get("createdAt").asLong());
        assertEquals(60_100, located.get("expiresAt").asLong());
        JsonNode unknown = map.get("migrations").get(1);
        assertEquals("2001:db8::/48", unknown.get("client").asText());
        assertTrue(unknown.get("clientPosition").isNull(), "a subnet no database knows has no position");

        JsonNode events = map.get("events");
        assertEquals(2, events.size());
        assertEquals("node-down", events.get(0).get("kind").asText(), "oldest first");
        assertEquals(1_789_999_999_000L, events.get(0).get("time").asLong());
        assertEquals("newyork", events.get(0).get("node").asText());
        assertEquals("", events.get(0).get("detail").asText());
        assertEquals("migration-recorded", events.get(1).get("kind").asText());
        assertEquals("10.3.0.0/16 for 60 s", events.get(1).get("detail").asText());
    }

    @Test
    void beforeTheRootIsUpAndWhenItRefusesTheApiAnswers503() throws Exception {
        Page starting = new MapPages("root-a").serve("/api/map").orElseThrow();
        assertEquals(503, starting.status());
        assertEquals("starting", json.readTree(starting.body()).get("error").asText());

        MapPages refusing = new MapPages("root-a");
        refusing.attach(new DescribeMap("root-a", r -> new ErrorReply("INTERNAL", "stopping"), new TableGeoLocator(),
                new RecentEvents(1), clock));
        assertEquals(503, refusing.serve("/api/map").orElseThrow().status());
    }

    @Test
    void thePageAndItsFilesComeFromTheJarAndNothingElse() throws Exception {
        MapPages pages = new MapPages("root-a");
        String html = new String(pages.serve("/").orElseThrow().body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("<script src=\"map.js\"></script>"), html);
        assertTrue(!html.contains("http://") || html.contains("http://www.w3.org"), "no outside resources");
        assertEquals("text/javascript; charset=utf-8", pages.serve("/map.js").orElseThrow().contentType());
        assertEquals("text/css; charset=utf-8", pages.serve("/map.css").orElseThrow().contentType());
        JsonNode land = json.readTree(pages.serve("/land-110m.json").orElseThrow().body());
        assertEquals("Topology", land.get("type").asText());
        assertTrue(land.get("objects").has("land"));
        String licence = new String(pages.serve("/LICENSE-world-atlas.txt").orElseThrow().body(), StandardCharsets.UTF_8);
        assertTrue(licence.contains("ISC") && licence.contains("public domain"), licence);
        for (String other : List.of("/api/map/x", "/../pom.xml", "/dev/tendril/root/map/map.js", "/favicon.ico")) {
            assertTrue(pages.serve(other).isEmpty(), other);
        }
    }
}
