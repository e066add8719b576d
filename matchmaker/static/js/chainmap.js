// Chain map: draws a firm's upstream chain as SVG, one row per tier (the firm at the bottom, its
// suppliers above it, their suppliers above them). Broken links are red and dashed; hovering or
// focusing a firm or a link shows its details. Data comes from the container's data-graph attribute
// (JSON written by the server; no inline script, no external library).
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var BOX_W = 132, BOX_H = 46, GAP_X = 18, ROW_H = 110, PAD = 14;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVGNS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function shorten(text, max) {
    text = String(text || "");
    return text.length > max ? text.slice(0, max - 1) + "\u2026" : text;
  }

  // Rows of nodes: tier 0 (the firm itself) at the bottom, exactly one row per tier; a tier wider
  // than the page makes the drawing wider, and its container scrolls sideways (never a second row,
  // which would read as another tier).
  function layout(data, width) {
    var tiers = {};
    data.nodes.forEach(function (n) { (tiers[n.tier] = tiers[n.tier] || []).push(n); });
    var order = Object.keys(tiers).map(Number).sort(function (a, b) { return b - a; });
    var rows = order.map(function (t) { return { tier: t, nodes: tiers[t], first: true }; });
    rows.forEach(function (row) {
      width = Math.max(width, 2 * PAD + row.nodes.length * BOX_W + (row.nodes.length - 1) * GAP_X);
    });
    var pos = {};
    rows.forEach(function (row, r) {
      var used = row.nodes.length * BOX_W + (row.nodes.length - 1) * GAP_X;
      var x0 = Math.max(PAD, (width - used) / 2);
      row.nodes.forEach(function (n, i) {
        pos[n.ref] = { x: x0 + i * (BOX_W + GAP_X), y: PAD + 18 + r * ROW_H, node: n };
      });
      row.y = PAD + 18 + r * ROW_H;
    });
    return { rows: rows, pos: pos, width: width, height: PAD * 2 + 18 + rows.length * ROW_H - (ROW_H - BOX_H) };
  }

  function describeNode(n, L) {
    var parts = [n.name + " (" + n.ref + ")", n.kind_label];
    if (n.county) { parts.push(n.county); }
    parts.push(n.status_label);
    if (n.blockers && n.blockers.length) { parts.push(L.blockers + ": " + n.blockers.join(", ")); }
    if (n.tier > 0) { parts.push(L.tier + " " + n.tier); }
    return parts.join(" \u00b7 ");
  }

  function describeEdge(e, L) {
    var parts = [e.supplier_name + " \u2192 " + e.buyer_name, e.category_label, L.per_week + ": " + e.quantity_text];
    if (e.broken) { parts.push(L.broken + ": " + e.break_labels.join(", ")); }
    if (e.factors && e.factors.length) { parts.push(L.factors + ": " + e.factors.join(", ")); }
    if (e.pairing_text) { parts.push(e.pairing_text); }
    return parts.join(" \u00b7 ");
  }

  function draw(container) {
    var raw = container.getAttribute("data-graph");
    if (!raw) { return; }
    var data = JSON.parse(raw);
    var L = data.labels || {};
    var detail = container.querySelector(".detail");
    var holder = container.querySelector(".canvas");
    var width = Math.max(300, Math.floor(holder.clientWidth || container.clientWidth || 600));
    holder.textContent = "";
    if (!data.nodes.length) {
      holder.textContent = L.empty || "";
      return;
    }
    var lay = layout(data, width);
    width = lay.width;
    var svg = el("svg", { viewBox: "0 0 " + width + " " + lay.height, width: width, height: lay.height,
      role: "group", "aria-label": L.title || "" }, holder);
    lay.rows.forEach(function (row) {
      if (row.first) {
        var t = el("text", { x: 4, y: row.y - 6, "class": "tier-label" }, svg);
        t.textContent = row.tier === 0 ? L.tier0 : L.tier + " " + row.tier;
      }
    });
    function show(text) { if (detail) { detail.textContent = text; } }
    var edgeLayer = el("g", { "class": "edges" }, svg);
    data.edges.forEach(function (e) {
      var a = lay.pos[e.supplier], b = lay.pos[e.buyer];
      if (!a || !b) { return; }
      var x1 = a.x + BOX_W / 2, y1 = a.y + BOX_H, x2 = b.x + BOX_W / 2, y2 = b.y;
      if (y2 <= y1) { y1 = a.y; y2 = b.y + BOX_H; }
      var my = (y1 + y2) / 2;
      var cls = "edge" + (e.broken ? " broken" : "") + (e.is_new ? " new" : "");
      var g = el("g", { tabindex: "0", "class": "link", "data-supplier": e.supplier, "data-buyer": e.buyer,
        "data-broken": e.broken ? "1" : "0", "aria-label": describeEdge(e, L) }, edgeLayer);
      el("path", { d: "M" + x1 + "," + y1 + " C" + x1 + "," + my + " " + x2 + "," + my + " " + x2 + "," + y2,
        "class": cls }, g);
      // A wide transparent stroke makes the link easy to hover.
      el("path", { d: "M" + x1 + "," + y1 + " C" + x1 + "," + my + " " + x2 + "," + my + " " + x2 + "," + y2,
        stroke: "transparent", "stroke-width": "12", fill: "none" }, g);
      el("title", {}, g).textContent = describeEdge(e, L);
      g.addEventListener("mouseenter", function () { show(describeEdge(e, L)); });
      g.addEventListener("focus", function () { show(describeEdge(e, L)); });
    });
    var nodeLayer = el("g", { "class": "nodes" }, svg);
    data.nodes.forEach(function (n) {
      var p = lay.pos[n.ref];
      var cls = "node " + (n.kind || "") + " " + (n.status || "") + (n.cascade ? " cascade" : "");
      var g = el("g", { tabindex: "0", "class": cls, "data-ref": n.ref, transform: "translate(" + p.x + "," + p.y + ")",
        "aria-label": describeNode(n, L) }, nodeLayer);
      el("rect", { width: BOX_W, height: BOX_H, rx: 6, ry: 6 }, g);
      el("text", { x: 8, y: 19 }, g).textContent = shorten(n.name, 9);
      el("text", { x: 8, y: 36 }, g).textContent = shorten(n.ref + (n.status_mark ? " " + n.status_mark : ""), 18);
      el("title", {}, g).textContent = describeNode(n, L);
      g.addEventListener("mouseenter", function () { show(describeNode(n, L)); });
      g.addEventListener("focus", function () { show(describeNode(n, L)); });
    });
    container.setAttribute("data-drawn", String(data.nodes.length));
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chainmap]"), draw);
  }

  var timer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(drawAll, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
