// Tendril root: the live map. Polls /api/map (same origin) and redraws; no libraries, no CDN.
(function () {
  "use strict";
  var W = 1000, H = 500, POLL_MS = 500;
  var SVG = "http://www.w3.org/2000/svg";

  // equirectangular projection onto the 1000 x 500 viewBox
  function x(lon) { return (lon + 180) / 360 * W; }
  function y(lat) { return (90 - lat) / 180 * H; }

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  // ---- TopoJSON: quantized, delta-encoded arcs plus a transform (TopoJSON spec 1.0) ----
  function decodeArcs(topology) {
    var t = topology.transform, sx = 1, sy = 1, tx = 0, ty = 0;
    if (t) { sx = t.scale[0]; sy = t.scale[1]; tx = t.translate[0]; ty = t.translate[1]; }
    return topology.arcs.map(function (arc) {
      var qx = 0, qy = 0;
      return arc.map(function (p) {
        if (t) { qx += p[0]; qy += p[1]; } else { qx = p[0]; qy = p[1]; }
        return [qx * sx + tx, qy * sy + ty];
      });
    });
  }

  // a ring is a list of arc indexes; ~i (negative) means arc i reversed; shared end points appear once
  function ring(arcs, indexes) {
    var points = [];
    indexes.forEach(function (i, n) {
      var a = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
      (n === 0 ? a : a.slice(1)).forEach(function (p) { points.push(p); });
    });
    return points;
  }

  function polygons(geometry) {
    if (geometry.type === "Polygon") { return [geometry.arcs]; }
    if (geometry.type === "MultiPolygon") { return geometry.arcs; }
    if (geometry.type === "GeometryCollection") {
      return geometry.geometries.reduce(function (all, g) { return all.concat(polygons(g)); }, []);
    }
    return [];
  }

  function subpath(pts, shift) {
    return "M" + pts.map(function (p) { return x(p[0] + shift).toFixed(1) + "," + y(p[1]).toFixed(1); }).join("L") + "Z";
  }

  // A ring that crosses the antimeridian (Chukotka, Fiji) jumps from +180 to -180 and would
  // streak across the map: make its longitudes continuous and draw it twice, once shifted by
  // 360 degrees; the SVG clips both at the map's edges. A ring around the pole (Antarctica)
  // never comes back to its start's longitude and is drawn as it is.
  function ringPaths(pts) {
    var out = [pts[0]], jumped = false, min = pts[0][0], max = pts[0][0];
    for (var i = 1; i < pts.length; i++) {
      var lon = pts[i][0], prev = out[i - 1][0];
      while (lon - prev > 180) { lon -= 360; jumped = true; }
      while (lon - prev < -180) { lon += 360; jumped = true; }
      out.push([lon, pts[i][1]]);
      min = Math.min(min, lon);
      max = Math.max(max, lon);
    }
    if (!jumped || Math.abs(out[out.length - 1][0] - out[0][0]) > 180) { return subpath(pts, 0); }
    return subpath(out, 0) + subpath(out, max > 180 ? -360 : (min < -180 ? 360 : 0));
  }

  function drawLand(topology) {
    var arcs = decodeArcs(topology), land = document.getElementById("land");
    Object.keys(topology.objects).forEach(function (name) {
      var d = [];
      polygons(topology.objects[name]).forEach(function (poly) {
        poly.forEach(function (r) {
          var pts = ring(arcs, r);
          if (pts.length < 3) { return; }
          d.push(ringPaths(pts));
        });
      });
      el("path", { d: d.join(""), "data-object": name }, land);
    });
  }

  function drawGraticule() {
    var g = document.getElementById("graticule");
    for (var lon = -150; lon <= 150; lon += 30) { el("line", { x1: x(lon), y1: 0, x2: x(lon), y2: H }, g); }
    for (var lat = -60; lat <= 60; lat += 30) { el("line", { x1: 0, y1: y(lat), x2: W, y2: y(lat) }, g); }
  }

  // ---- the state from /api/map ----
  function key(service, node) { return service + "\n" + node; }

  function time(ms) { return new Date(ms).toISOString().substring(11, 19); }

  // instances on the same platform sit side by side, not on top of each other
  function placed(instances) {
    var byPlace = {}, out = {};
    instances.forEach(function (i) {
      var p = i.lat.toFixed(3) + "," + i.lon.toFixed(3);
      (byPlace[p] = byPlace[p] || []).push(i);
    });
    Object.keys(byPlace).forEach(function (p) {
      var group = byPlace[p];
      group.forEach(function (i, n) {
        out[key(i.service, i.node)] = { x: x(i.lon) + (n - (group.length - 1) / 2) * 13, y: y(i.lat) };
      });
    });
    return out;
  }

  function render(state) {
    var at = placed(state.instances);
    var edges = document.getElementById("edges"), marks = document.getElementById("instances"),
        arrows = document.getElementById("migrations"), labels = document.getElementById("labels");
    [edges, marks, arrows, labels].forEach(clear);
    var byKey = {};
    state.instances.forEach(function (i) { byKey[key(i.service, i.node)] = i; });

    state.instances.forEach(function (i) {
      if (i.parent === null) { return; }
      var from = at[key(i.service, i.parent)], to = at[key(i.service, i.node)];
      var parent = byKey[key(i.service, i.parent)];
      if (!from || !to) { return; }
      el("line", { x1: from.x, y1: from.y, x2: to.x, y2: to.y, "data-service": i.service, "data-parent": i.parent,
        "data-node": i.node, "class": "edge" + (i.live && parent && parent.live ? "" : " to-down") }, edges);
    });

    state.migrations.forEach(function (m) {
      if (!m.clientPosition || !m.targetPosition) { return; }
      var target = at[key(m.service, m.target)] || { x: x(m.targetPosition.lon), y: y(m.targetPosition.lat) };
      var cx = x(m.clientPosition.lon), cy = y(m.clientPosition.lat);
      // stop short of the marker so the arrow head stays visible
      var dx = target.x - cx, dy = target.y - cy, len = Math.sqrt(dx * dx + dy * dy) || 1, gap = Math.min(9, len / 2);
      el("line", { x1: cx, y1: cy, x2: target.x - dx / len * gap, y2: target.y - dy / len * gap, "class": "migration",
        "marker-end": "url(#arrow)", "data-service": m.service, "data-client": m.client, "data-target": m.target }, arrows);
      el("circle", { cx: cx, cy: cy, r: 3.5, "class": "client", "data-client": m.client }, arrows);
      el("text", { x: cx + 6, y: cy + 12, "class": "label client-label" }, labels).textContent = m.client;
    });

    var labelled = {};
    state.instances.forEach(function (i) {
      var p = at[key(i.service, i.node)];
      var c = el("circle", { cx: p.x, cy: p.y, r: i.live ? 6 : 4.5, "class": i.live ? "instance" : "down",
        "data-node": i.node, "data-service": i.service, "data-live": String(i.live) }, marks);
      el("title", {}, c).textContent = i.service + " on " + i.node + " (" + i.address + ")" + (i.live ? "" : ": down") +
        (i.parent ? ", parent " + i.parent : ", top node");
      if (!labelled[i.node]) {
        labelled[i.node] = true;
        el("text", { x: p.x + 8, y: p.y - 7, "class": "label" }, labels).textContent = i.node;
      }
    });

    panel(state);
  }

  function li(list, parts) {
    var item = document.createElement("li");
    parts.forEach(function (part) {
      var s = document.createElement("span");
      s.className = part[0];
      s.textContent = part[1];
      item.appendChild(s);
      item.appendChild(document.createTextNode(" "));
    });
    list.appendChild(item);
  }

  function panel(state) {
    document.getElementById("root-id").textContent = state.root;
    var live = state.instances.filter(function (i) { return i.live; }).length;
    var services = {};
    state.instances.forEach(function (i) { services[i.service] = true; });
    document.getElementById("counts").textContent = live + " live instance(s), " + (state.instances.length - live) +
      " down, " + Object.keys(services).length + " service tree(s), " + state.migrations.length + " migration record(s)";
    var ml = document.getElementById("migration-list");
    clear(ml);
    state.migrations.forEach(function (m) {
      li(ml, [["kind migration-recorded", m.service], ["", m.client + " \u2192 " + m.target +
        (m.clientPosition ? "" : " (subnet not located)")], ["time", "until " + time(m.expiresAt)]]);
    });
    if (!state.migrations.length) { li(ml, [["note", "none"]]); }
    var ev = document.getElementById("events");
    clear(ev);
    state.events.slice().reverse().forEach(function (e) {
      li(ev, [["time", time(e.time)], ["kind " + e.kind, e.kind], ["", e.service + " " + e.node], ["note", e.detail]]);
    });
  }

  function status(ok, text) {
    var s = document.getElementById("status");
    s.className = ok ? "ok" : "stale";
    s.textContent = text;
  }

  function poll() {
    fetch("api/map", { cache: "no-store" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (state) {
        render(state);
        document.getElementById("map").setAttribute("data-updated", String(state.time));
        status(true, "live, root time " + time(state.time) + " UTC");
      })
      .catch(function (e) { status(false, "no answer from /api/map (" + e.message + "); showing the last state"); })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  drawGraticule();
  fetch("land-110m.json")
    .then(function (r) { return r.json(); })
    .then(drawLand)
    .catch(function (e) { status(false, "land outline not loaded: " + e.message); })
    .then(poll);
})();
