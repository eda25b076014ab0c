/*
 * backchannel interactive actor map.
 *
 * Draws a case's actor graph with Cytoscape.js (served from ./vendor, never from a CDN).
 * Any element carrying `data-actor-map="ID"` is filled with the graph held in the JSON
 * script element `#ID` (Cytoscape.js JSON: {data, elements: {nodes, edges}}), so pages
 * need no inline script and keep a Content-Security-Policy of default-src 'self'.
 *
 * Node colours follow the actor's kind and the Okabe-Ito palette (readable with the common
 * forms of colour blindness); shapes repeat the grouping so the map also reads in grey.
 * Hostile relations (fights, rival) are dashed, command and membership lines are solid and
 * dark, splinters are dotted. Nodes may carry `role` (counterpart, spoiler, broker,
 * entry) which the map outlines. Selecting a node or edge shows its fields in the panel
 * named by `data-details`.
 */
(function () {
  "use strict";

  var KIND_STYLE = {
    armed_group: ["#D55E00", "round-rectangle"],
    faction: ["#D55E00", "round-rectangle"],
    militia: ["#D55E00", "round-rectangle"],
    leader: ["#D55E00", "ellipse"],
    state_force: ["#0072B2", "rectangle"],
    government: ["#0072B2", "rectangle"],
    own_organisation: ["#009E73", "star"],
    intermediary: ["#E69F00", "diamond"],
    community_leader: ["#56B4E9", "ellipse"],
    religious_leader: ["#56B4E9", "ellipse"],
    civil_society: ["#56B4E9", "ellipse"],
    diaspora: ["#56B4E9", "ellipse"],
    international_actor: ["#CC79A7", "hexagon"]
  };
  var HOSTILE = ["fights", "rival"];
  var HIERARCHY = ["commands", "member_of"];
  var ROLE_BORDER = {
    counterpart: "#000000",
    spoiler: "#CC79A7",
    broker: "#0072B2",
    entry: "#009E73"
  };

  function styles() {
    var sheet = [
      {
        selector: "node",
        style: {
          label: "data(short)",
          "font-size": 11,
          "text-wrap": "wrap",
          "text-max-width": 120,
          "text-valign": "bottom",
          "text-margin-y": 4,
          "background-color": "#999999",
          width: 26,
          height: 26,
          "border-width": 1,
          "border-color": "#333333"
        }
      },
      {
        selector: "edge",
        style: {
          width: "mapData(strength, 0, 1, 1, 5)",
          "line-color": "#777777",
          "target-arrow-color": "#777777",
          "target-arrow-shape": "triangle",
          "curve-style": "bezier",
          label: "data(label)",
          "font-size": 9,
          "text-rotation": "autorotate",
          color: "#444444"
        }
      },
      { selector: "edge[!strength]", style: { width: 2 } },
      { selector: ":selected", style: { "overlay-opacity": 0.2, "overlay-color": "#000000" } }
    ];
    Object.keys(KIND_STYLE).forEach(function (kind) {
      sheet.push({
        selector: 'node[kind = "' + kind + '"]',
        style: { "background-color": KIND_STYLE[kind][0], shape: KIND_STYLE[kind][1] }
      });
    });
    HOSTILE.forEach(function (kind) {
      sheet.push({
        selector: 'edge[label = "' + kind + '"]',
        style: { "line-style": "dashed", "line-color": "#D55E00", "target-arrow-color": "#D55E00" }
      });
    });
    HIERARCHY.forEach(function (kind) {
      sheet.push({
        selector: 'edge[label = "' + kind + '"]',
        style: { "line-color": "#222222", "target-arrow-color": "#222222" }
      });
    });
    sheet.push({ selector: 'edge[label = "splinter_of"]', style: { "line-style": "dotted" } });
    Object.keys(ROLE_BORDER).forEach(function (role) {
      sheet.push({
        selector: 'node[role = "' + role + '"]',
        style: { "border-width": 4, "border-color": ROLE_BORDER[role] }
      });
    });
    return sheet;
  }

  function describe(element) {
    var data = element.data();
    var lines = [];
    Object.keys(data).forEach(function (key) {
      var value = data[key];
      if (value === null || value === undefined || value === "" || key === "short") {
        return;
      }
      if (Array.isArray(value)) {
        if (!value.length) {
          return;
        }
        value = value.join(", ");
      }
      lines.push([key.replace(/_/g, " "), String(value)]);
    });
    return lines;
  }

  function showDetails(panel, element) {
    if (!panel) {
      return;
    }
    while (panel.firstChild) {
      panel.removeChild(panel.firstChild);
    }
    var list = document.createElement("dl");
    describe(element).forEach(function (pair) {
      var term = document.createElement("dt");
      term.textContent = pair[0];
      var value = document.createElement("dd");
      value.textContent = pair[1];
      list.appendChild(term);
      list.appendChild(value);
    });
    panel.appendChild(list);
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-actor-map"));
    if (!source) {
      container.textContent = "The actor graph could not be found on this page.";
      return null;
    }
    var graph = JSON.parse(source.textContent);
    var cy = window.cytoscape({
      container: container,
      elements: graph.elements,
      style: styles(),
      layout: {
        name: "cose",
        animate: false,
        randomize: false,
        nodeRepulsion: 400000,
        idealEdgeLength: 110,
        nodeOverlap: 20,
        padding: 30
      },
      wheelSensitivity: 0.3
    });
    var panel = document.getElementById(container.getAttribute("data-details") || "");
    cy.on("tap", "node, edge", function (event) {
      showDetails(panel, event.target);
    });
    container.backchannelMap = cy;
    // a readiness mark tests can wait for without evaluating script under the CSP
    container.setAttribute("data-ready", "true");
    return cy;
  }

  function drawAll() {
    var containers = document.querySelectorAll("[data-actor-map]");
    for (var i = 0; i < containers.length; i += 1) {
      draw(containers[i]);
    }
  }

  window.backchannelActorMap = { draw: draw, drawAll: drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
