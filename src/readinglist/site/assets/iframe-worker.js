/* Search from disk: Material's search Web Worker, run in a hidden iframe on file:// pages.
 *
 * Chromium will not start a Web Worker from a file:// page, so Material's search (which
 * runs in one) stays dead on a site opened from disk. Material's `offline` plugin writes
 * the search index as a script (search/search_index.js) and expects a Worker shim; the
 * one it names lives on a CDN, and this site loads nothing from other hosts. This is the
 * site's own: on file:// pages only, `Worker` becomes a small object that loads the
 * worker's script into a hidden same-page iframe and passes messages both ways
 * asynchronously, as a Worker does. On http(s) nothing changes.
 *
 * Written for readinglist. Its file name holds "iframe-worker" so that Material's
 * offline plugin sees a shim is there and does not add its CDN one (see site/offline.py).
 */
(function () {
  "use strict";

  if (location.protocol !== "file:" || typeof window.EventTarget !== "function") {
    return;
  }

  function later(fn) {
    window.setTimeout(fn, 0);
  }

  function FileWorker(url) {
    var target = new EventTarget();
    var frame = document.createElement("iframe");
    var queue = [];
    var ready = false;
    var self = this;

    this.onmessage = null;
    this.onerror = null;
    this._target = target;

    frame.hidden = true;
    frame.tabIndex = -1;
    frame.title = "Search worker";
    frame.setAttribute("aria-hidden", "true");
    (document.body || document.documentElement).appendChild(frame);
    var scope = frame.contentWindow;
    this._frame = frame;
    this._scope = scope;

    // The worker's postMessage(data) reaches this object's listeners.
    scope.postMessage = function (data) {
      var copy = window.structuredClone ? window.structuredClone(data) : data;
      later(function () {
        self._emit("message", copy);
      });
    };
    // importScripts as a promise (Material's worker awaits it, for other languages).
    scope.importScripts = function () {
      var urls = Array.prototype.slice.call(arguments);
      return urls.reduce(function (done, src) {
        return done.then(function () {
          return load(scope.document, src);
        });
      }, Promise.resolve());
    };

    load(scope.document, new URL(url, document.baseURI).href).then(
      function () {
        ready = true;
        queue.splice(0).forEach(function (data) {
          self._deliver(data);
        });
      },
      function () {
        self._emit("error", "could not load " + url);
      }
    );

    this._queue = function (data) {
      if (ready) {
        self._deliver(data);
      } else {
        queue.push(data);
      }
    };
  }

  function load(doc, src) {
    return new Promise(function (resolve, reject) {
      var script = doc.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      (doc.head || doc.documentElement).appendChild(script);
    });
  }

  FileWorker.prototype._deliver = function (data) {
    var scope = this._scope;
    // Copied into the iframe's own realm, as a Worker receives a structured clone.
    var copy = scope.structuredClone ? scope.structuredClone(data) : data;
    later(function () {
      scope.dispatchEvent(new scope.MessageEvent("message", { data: copy }));
    });
  };

  FileWorker.prototype._emit = function (type, data) {
    var event =
      type === "message" ? new MessageEvent("message", { data: data }) : new Event(type);
    var handler = type === "message" ? this.onmessage : this.onerror;
    if (typeof handler === "function") {
      handler.call(this, event);
    }
    this._target.dispatchEvent(event);
  };

  FileWorker.prototype.postMessage = function (data) {
    this._queue(data);
  };

  FileWorker.prototype.addEventListener = function (type, listener, options) {
    this._target.addEventListener(type, listener, options);
  };

  FileWorker.prototype.removeEventListener = function (type, listener, options) {
    this._target.removeEventListener(type, listener, options);
  };

  FileWorker.prototype.terminate = function () {
    if (this._frame.parentNode) {
      this._frame.parentNode.removeChild(this._frame);
    }
  };

  window.Worker = FileWorker;
  // Material's worker finds its lunr language files next to itself when this is set.
  window.IFrameWorker = FileWorker;
})();
