/* The citation graph page of a readinglist course site.
 *
 * Reads window.READINGLIST_GRAPH (assets/readinglist/graph-data.js, written at build
 * time) and draws it with vis-network (copied from the installed pyvis package).
 * Everything runs from the site's own files, so the page works offline and from
 * file://. Strings from the data are only ever set as text, never as HTML.
 */
(function () {
  "use strict";

  var data = window.READINGLIST_GRAPH;
  var container = document.getElementById("rl-graph");
  if (!data || !container || typeof vis === "undefined") {
    return;
  }

  var topicSelect = document.getElementById("rl-topic");
  var lectureSelect = document.getElementById("rl-lecture");
  var count = document.getElementById("rl-graph-count");
  var dark = document.body.getAttribute("data-md-color-scheme") === "slate";
  var fontColour = dark ? "#e6e6e6" : "#222222";
  // On a phone the whole graph is fitted into a small canvas: bigger labels stay legible.
  var narrow = window.matchMedia && window.matchMedia("(max-width: 44.984375em)").matches;

  var byId = {};
  var nodes = new vis.DataSet(
    data.nodes.map(function (n) {
      byId[n.id] = n;
      var topic = data.topics[n.topic];
      return {
        id: n.id,
        label: n.label,
        title: n.title, // a string: vis-network shows it as text
        value: n.cited,
        color: {
          background: topic.colour,
          border: topic.colour,
          highlight: { background: topic.colour, border: fontColour },
          hover: { background: topic.colour, border: fontColour }
        }
      };
    })
  );
  var edges = new vis.DataSet(
    data.edges.map(function (e, i) {
      return { id: i, from: e.from, to: e.to };
    })
  );

  function visible(node) {
    var paper = byId[node.id];
    var topic = topicSelect ? topicSelect.value : "";
    var lecture = lectureSelect ? lectureSelect.value : "";
    if (topic !== "" && String(paper.topic) !== topic) {
      return false;
    }
    if (lecture !== "" && paper.lectures.indexOf(Number(lecture)) < 0) {
      return false;
    }
    return true;
  }

  var view = new vis.DataView(nodes, { filter: visible });
  // For people poking at the page (and the browser tests); stable: the layout is done.
  var api = { nodes: nodes, edges: edges, view: view, network: null, stable: false };
  window.readinglistGraph = api;

  var network = new vis.Network(
    container,
    { nodes: view, edges: edges },
    {
      autoResize: true,
      layout: { randomSeed: 7, improvedLayout: true },
      nodes: {
        shape: "dot",
        scaling: { min: 10, max: 40, label: { enabled: false } },
        font: { color: fontColour, size: narrow ? 30 : 14, face: "sans-serif" },
        borderWidth: 1
      },
      edges: {
        arrows: { to: { enabled: true, scaleFactor: 0.5 } },
        color: { color: dark ? "#777777" : "#b0b0b0", highlight: fontColour, hover: fontColour },
        smooth: { type: "continuous" },
        width: 1
      },
      physics: {
        solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -45, springLength: 90 },
        stabilization: { iterations: 250, fit: true }
      },
      interaction: { hover: true, tooltipDelay: 150, navigationButtons: false, keyboard: true }
    }
  );

  api.network = network;
  network.once("stabilizationIterationsDone", function () {
    // A still picture is easier to read; dragging a node still works.
    network.setOptions({ physics: false });
    api.stable = true;
  });

  network.on("click", function (params) {
    if (params.nodes.length === 1) {
      var paper = byId[params.nodes[0]];
      if (paper && paper.url) {
        window.location.href = paper.url;
      }
    }
  });

  network.on("hoverNode", function () {
    container.style.cursor = "pointer";
  });
  network.on("blurNode", function () {
    container.style.cursor = "default";
  });

  function showCount() {
    if (count) {
      var n = view.length;
      count.textContent = n + " of " + data.nodes.length + " papers shown";
    }
  }

  // The table of the same papers (the drawing's text alternative) follows the filters.
  var rows = document.querySelectorAll("#rl-graph-table tbody tr[data-topic]");

  function filterRows() {
    var topic = topicSelect ? topicSelect.value : "";
    var lecture = lectureSelect ? lectureSelect.value : "";
    Array.prototype.forEach.call(rows, function (row) {
      var lectures = (row.getAttribute("data-lectures") || "").split(" ");
      row.hidden =
        (topic !== "" && row.getAttribute("data-topic") !== topic) ||
        (lecture !== "" && lectures.indexOf(lecture) < 0);
    });
  }

  function refilter() {
    view.refresh();
    filterRows();
    showCount();
    network.fit({ animation: false });
  }

  if (topicSelect) {
    topicSelect.addEventListener("change", refilter);
  }
  if (lectureSelect) {
    lectureSelect.addEventListener("change", refilter);
  }
  showCount();
})();
