/* Reading progress for the course site: a "read" toggle on each paper of lecture,
 * topic and paper pages, "3 of 7 read" on lecture and topic pages, progress per lecture
 * in the schedule, and export/import of the read list as a JSON file.
 *
 * The pages carry the data: li.rl-paper[data-key] for a reading, [data-paper] on a
 * paper page's head, td[data-lecture][data-keys] in the schedule. The read list lives
 * in this browser's localStorage only: no fetch, no cookie, no request, so it works
 * offline and from file://. Keys come from files and other people's exports: they are
 * only ever compared and stored, never put into markup (textContent, not innerHTML).
 */
(function () {
  "use strict";

  var FORMAT = "readinglist-progress";
  var script = document.currentScript;
  // This file is <site>/assets/readinglist/progress.js: the site's root names the list,
  // so two courses served from one host (or opened from disk) keep separate lists.
  var root = script && script.src ? new URL("../../", script.src) : new URL(".", location.href);
  var STORAGE_KEY = "readinglist:" + root.pathname + ":read";
  var memory = []; // used when localStorage is refused (private modes, some file:// setups)
  var ids = 0;

  function load() {
    var list = memory;
    try {
      var raw = window.localStorage.getItem(STORAGE_KEY);
      if (raw !== null) list = JSON.parse(raw);
    } catch (e) {
      list = memory;
    }
    return new Set(Array.isArray(list) ? list.filter(isKey) : []);
  }

  function save(set) {
    var list = Array.from(set).sort();
    memory = list;
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(list));
    } catch (e) {
      /* kept in memory for this page */
    }
  }

  function isKey(value) {
    return typeof value === "string" && value.length > 0 && value.length <= 1000;
  }

  function toggle(key) {
    var read = load();
    if (read.has(key)) read.delete(key);
    else read.add(key);
    save(read);
    refresh();
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function idOf(el) {
    if (!el.id) el.id = "rl-read-target-" + ++ids;
    return el.id;
  }

  // ------------------------------------------------------------------ read toggles

  function makeToggle(key, described) {
    var button = element("button", "rl-read-toggle");
    button.type = "button";
    button.setAttribute("data-read-key", key);
    if (described) button.setAttribute("aria-describedby", idOf(described));
    button.addEventListener("click", function () {
      toggle(key);
    });
    return button;
  }

  function paintToggle(button, read) {
    button.setAttribute("aria-pressed", read ? "true" : "false");
    button.textContent = read ? "Read " : "Mark as read";
    if (read) {
      var tick = element("span", "rl-read-tick", "\u2713");
      tick.setAttribute("aria-hidden", "true"); // the state is aria-pressed; no "check mark"
      button.appendChild(tick);
    }
  }

  function addToggles() {
    document.querySelectorAll("li.rl-paper[data-key]").forEach(function (item) {
      if (item.querySelector(".rl-read-toggle")) return;
      var title = item.querySelector(".rl-title");
      item.insertBefore(makeToggle(item.getAttribute("data-key"), title), item.firstChild);
    });
    document.querySelectorAll("[data-paper]").forEach(function (head) {
      if (head.querySelector(".rl-read-toggle")) return;
      var line = element("p", "rl-read");
      line.appendChild(makeToggle(head.getAttribute("data-paper"), head.querySelector("h1")));
      var status = head.querySelector(".rl-status");
      head.insertBefore(line, status ? status.nextSibling : null);
    });
  }

  // ------------------------------------------------------------------ counts

  function pageKeys() {
    var keys = [];
    document.querySelectorAll("li.rl-paper[data-key]").forEach(function (item) {
      var key = item.getAttribute("data-key");
      if (keys.indexOf(key) < 0) keys.push(key);
    });
    return keys;
  }

  function addPageCount() {
    if (document.querySelector("[data-paper]") || document.querySelector(".rl-progress")) return;
    if (!pageKeys().length) return;
    var counter = element("p", "rl-progress");
    counter.setAttribute("role", "status"); // announced when a toggle changes it
    counter.appendChild(element("span", "rl-progress-text"));
    var bar = element("span", "rl-progress-bar");
    bar.setAttribute("aria-hidden", "true");
    bar.appendChild(element("span", "rl-progress-fill"));
    counter.appendChild(bar);
    var heading = document.querySelector(".rl-head h1");
    var list = document.querySelector(".rl-readings");
    if (heading) heading.parentNode.insertBefore(counter, heading.nextSibling);
    else if (list) list.parentNode.insertBefore(counter, list);
  }

  function countOf(keys, read) {
    return keys.filter(function (key) {
      return read.has(key);
    }).length;
  }

  function paintCount(counter, done, total) {
    counter.querySelector(".rl-progress-text").textContent = done + " of " + total + " read";
    counter.querySelector(".rl-progress-fill").style.width =
      (total ? Math.round((100 * done) / total) : 0) + "%";
    counter.classList.toggle("rl-complete", total > 0 && done === total);
  }

  // ------------------------------------------------------------------ the schedule

  function addScheduleColumn() {
    document.querySelectorAll("td[data-lecture][data-keys]").forEach(function (cell) {
      var row = cell.parentNode;
      if (row.querySelector(".rl-progress-cell")) return;
      var table = row.closest("table");
      var head = table && table.querySelector("thead tr");
      if (head && !head.querySelector(".rl-progress-head")) {
        head.appendChild(element("th", "rl-progress-head", "Read"));
      }
      var td = element("td", "rl-progress-cell rl-nowrap");
      td.setAttribute("data-progress-lecture", cell.getAttribute("data-lecture"));
      row.appendChild(td);
    });
  }

  function scheduleKeys(cell) {
    return (cell.getAttribute("data-keys") || "").split(/\s+/).filter(isKey);
  }

  function addTools() {
    var schedule = document.querySelector(".rl-schedule");
    if (!schedule || document.querySelector(".rl-progress-tools")) return;
    if (!document.querySelector("td[data-lecture][data-keys]")) return;
    var tools = element("div", "rl-progress-tools");
    tools.appendChild(element("p", "rl-progress-summary"));
    var buttons = element("p", "rl-progress-buttons");
    var exporter = element("button", "md-button rl-export", "Export read list");
    exporter.type = "button";
    exporter.addEventListener("click", exportList);
    var importer = element("button", "md-button rl-import", "Import read list");
    importer.type = "button";
    var input = element("input", "rl-import-file");
    input.type = "file";
    input.accept = "application/json,.json";
    input.hidden = true;
    input.setAttribute("aria-hidden", "true");
    input.tabIndex = -1;
    importer.addEventListener("click", function () {
      input.value = "";
      input.click();
    });
    input.addEventListener("change", function () {
      if (input.files && input.files[0]) importFile(input.files[0], message);
    });
    buttons.appendChild(exporter);
    buttons.appendChild(importer);
    buttons.appendChild(input);
    tools.appendChild(buttons);
    var message = element("p", "rl-progress-message rl-hint");
    message.setAttribute("role", "status");
    tools.appendChild(message);
    tools.appendChild(
      element(
        "p",
        "rl-hint",
        "Marks are kept in this browser only. Export them to keep a copy or to move " +
          "them to another browser; importing adds the papers of a file to your marks."
      )
    );
    schedule.parentNode.insertBefore(tools, schedule.nextSibling);
  }

  // ------------------------------------------------------------------ export / import

  function exportList() {
    var data = {
      format: FORMAT,
      version: 1,
      site: root.pathname,
      read: Array.from(load()).sort(),
    };
    var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var link = element("a");
    link.href = url;
    link.download = "reading-progress.json";
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 10000);
  }

  function keysOf(data) {
    var list = Array.isArray(data) ? data : data && data.format === FORMAT ? data.read : null;
    if (!Array.isArray(list)) return null;
    return list.filter(isKey);
  }

  function importFile(file, message) {
    if (file.size > 5 * 1024 * 1024) {
      message.textContent = "That file is too large to be a read list.";
      return;
    }
    file.text().then(
      function (text) {
        var keys;
        try {
          keys = keysOf(JSON.parse(text));
        } catch (e) {
          keys = null;
        }
        if (keys === null) {
          message.textContent = "That file is not a read list exported from this site.";
          return;
        }
        var read = load();
        var before = read.size;
        keys.forEach(function (key) {
          read.add(key);
        });
        save(read);
        refresh();
        var added = read.size - before;
        message.textContent =
          "Imported: " + added + " paper" + (added === 1 ? "" : "s") + " added to your marks.";
      },
      function () {
        message.textContent = "That file could not be read.";
      }
    );
  }

  // ------------------------------------------------------------------ painting

  function refresh() {
    var read = load();
    document.querySelectorAll(".rl-read-toggle").forEach(function (button) {
      var key = button.getAttribute("data-read-key");
      paintToggle(button, read.has(key));
      var item = button.closest("li.rl-paper, [data-paper]");
      if (item) item.classList.toggle("rl-is-read", read.has(key));
    });
    var counter = document.querySelector(".rl-progress");
    if (counter) {
      var keys = pageKeys();
      paintCount(counter, countOf(keys, read), keys.length);
    }
    var scheduled = [];
    document.querySelectorAll("td[data-lecture][data-keys]").forEach(function (cell) {
      var keys = scheduleKeys(cell);
      var done = countOf(keys, read);
      var target = cell.parentNode.querySelector(".rl-progress-cell");
      if (target) {
        target.textContent = keys.length ? done + " of " + keys.length : "\u2013";
        target.classList.toggle("rl-complete", keys.length > 0 && done === keys.length);
      }
      keys.forEach(function (key) {
        if (scheduled.indexOf(key) < 0) scheduled.push(key);
      });
    });
    var summary = document.querySelector(".rl-progress-summary");
    if (summary) {
      summary.textContent =
        "Your reading: " + countOf(scheduled, read) + " of " + scheduled.length +
        " scheduled papers marked as read.";
    }
  }

  function init() {
    addToggles();
    addPageCount();
    addScheduleColumn();
    addTools();
    refresh();
  }

  // Another tab marked a paper: show it here too.
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY || event.key === null) refresh();
  });

  // Material's instant navigation swaps pages without running scripts again; its
  // document$ observable announces each new page (and the first one).
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
