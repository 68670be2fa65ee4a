package dev.tendril.root.adapter.in.http;

import dev.tendril.protocol.http.StatusServer.Page;
import dev.tendril.protocol.http.StatusServer.Pages;
import dev.tendril.root.application.map.DescribeMap;
import dev.tendril.root.application.map.MapView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The root's live map on its operator HTTP port: {@code GET /api/map} (the {@link MapView}
 * as JSON, see {@link MapJson}) and the page's static files, which sit in the jar under
 * {@code dev/tendril/root/map/} (no CDN: the page works offline). Only the files listed here
 * are served. Until {@link #attach} (the root still starting), {@code /api/map} answers 503.
 */
public final class MapPages implements Pages {
    private static final Logger LOG = LoggerFactory.getLogger(MapPages.class);
    static final String API = "/api/map";
    private static final String JSON = "application/json; charset=utf-8";
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
            "/map.js", new String[] {"map.js", "text/javascript; charset=utf-8"},
            "/map.css", new String[] {"map.css", "text/css; charset=utf-8"},
            "/land-110m.json", new String[] {"land-110m.json", JSON},
            "/LICENSE-world-atlas.txt", new String[] {"LICENSE-world-atlas.txt", "text/plain; charset=utf-8"});

    private final String rootId;
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();
    private volatile DescribeMap describe;
    private boolean failing;

    public MapPages(String rootId) {
        this.rootId = rootId;
    }

    /** From now on {@code /api/map} answers from {@code describe}. */
    public void attach(DescribeMap describe) {
        this.describe = describe;
    }

    @Override
    public Optional<Page> serve(String path) {
        if (path.equals(API)) {
            return Optional.of(api());
        }
        String[] file = FILES.get(path);
        if (file == null) {
            return Optional.empty();
        }
        return Optional.of(new Page(200, file[1], cache.computeIfAbsent(file[0], MapPages::resource)));
    }

    private Page api() {
        DescribeMap d = describe;
        if (d == null) {
            return error(503, "starting");
        }
        Optional<MapView> view;
        try {
            view = d.describe();
        } catch (RuntimeException e) {
            if (!failing) { // once per streak of failures, not once per poll
                LOG.warn("{}: {} failed", rootId, API, e);
            }
            failing = true;
            return error(500, e.toString());
        }
        failing = false;
        return view.map(v -> new Page(200, JSON, MapJson.write(v))).orElseGet(() -> error(503, "the root refused to list its topology"));
    }

    private static Page error(int status, String why) {
        String quoted = why.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", " ");
        return new Page(status, JSON, ("{\"error\":\"" + quoted + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] resource(String name) {
        try (InputStream in = MapPages.class.getResourceAsStream("/dev/tendril/root/map/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks dev/tendril/root/map/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
