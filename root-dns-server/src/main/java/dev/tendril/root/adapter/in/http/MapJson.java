package dev.tendril.root.adapter.in.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.root.application.map.MapView;
import dev.tendril.root.application.map.MapView.InstanceMark;
import dev.tendril.root.application.map.MapView.MigrationArrow;
import dev.tendril.root.application.map.TopologyEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Writes a {@link MapView} as the JSON of {@code GET /api/map} (fields in docs/operations.md).
 * Times are epoch milliseconds of the root's clock; unknown positions and the top node's
 * parent are {@code null}.
 */
public final class MapJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private MapJson() {
    }

    public static byte[] write(MapView view) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("root", view.rootId());
            g.writeNumberField("time", view.timeMillis());
            g.writeArrayFieldStart("instances");
            for (InstanceMark i : view.instances()) {
                instance(g, i);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("migrations");
            for (MigrationArrow m : view.migrations()) {
                migration(g, m);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("events");
            for (TopologyEvent e : view.events()) {
                event(g, e);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void instance(JsonGenerator g, InstanceMark i) throws IOException {
        g.writeStartObject();
        g.writeStringField("service", i.service());
        g.writeStringField("node", i.nodeId());
        g.writeStringField("address", i.address());
        g.writeNumberField("lat", i.position().latitude());
        g.writeNumberField("lon", i.position().longitude());
        g.writeBooleanField("live", i.live());
        g.writeFieldName("parent");
        if (i.parentId().isPresent()) {
            g.writeString(i.parentId().get());
        } else {
            g.writeNull();
        }
        g.writeNumberField("registeredAt", i.registeredAtMillis());
        g.writeEndObject();
    }

    private static void migration(JsonGenerator g, MigrationArrow m) throws IOException {
        g.writeStartObject();
        g.writeStringField("service", m.service());
        g.writeStringField("client", m.client());
        position(g, "clientPosition", m.clientPosition());
        g.writeStringField("target", m.targetNodeId());
        position(g, "targetPosition", m.targetPosition());
        g.writeNumberField("createdAt", m.createdAtMillis());
        g.writeNumberField("expiresAt", m.expiresAtMillis());
        g.writeEndObject();
    }

    private static void event(JsonGenerator g, TopologyEvent e) throws IOException {
        g.writeStartObject();
        g.writeNumberField("time", e.timeMillis());
        g.writeStringField("kind", e.kind().label());
        g.writeStringField("service", e.service());
        g.writeStringField("node", e.nodeId());
        g.writeStringField("detail", e.detail());
        g.writeEndObject();
    }

    private static void position(JsonGenerator g, String field, Optional<GeoPoint> p) throws IOException {
        g.writeFieldName(field);
        if (p.isEmpty()) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeNumberField("lat", p.get().latitude());
        g.writeNumberField("lon", p.get().longitude());
        g.writeEndObject();
    }
}
