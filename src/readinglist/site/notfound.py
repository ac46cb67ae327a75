"""A 404 page that works at any base path. Pure functions of the page's HTML.

A server shows ``404.html`` for a missing URL at any depth, so MkDocs renders it with
root-absolute links (``/assets/...``, or site_url's path). Those break when the site is
published under a sub-path that site_url does not name (a project's GitHub Pages site,
``/course/``) and when the page is opened from disk. :func:`relocatable` makes every such
link relative and puts a small script first in ``<head>`` that finds the site's root and
sets ``<base href>`` to it before anything loads:

- from ``file:``, the page itself is the root's ``404.html``: its folder is the root;
- over HTTP, it tries the folders of the missing URL, deepest first, and takes the first
  whose ``404.html`` answers 200 and is this page (it carries :data:`MARK`); a folder
  inside the site has no ``404.html``, so the first hit is the site's root;
- failing that, site_url's path (``/`` without one), which is what MkDocs assumed.

Material's ``__config`` (its base URL and search worker) is resolved against that base.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

MARK = "readinglist-404-root"
"""Present in every page :func:`relocatable` made (it is in the script)."""

_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_CHARSET = re.compile(r"<meta charset=[^>]*>", re.IGNORECASE)
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)

_ROOT_SCRIPT = """<script>/* readinglist-404-root: this page is served at any depth; find the
site's root and resolve every link against it */
(function () {
  var fallback = %(fallback)s, loc = window.location, root = null;
  if (loc.protocol === "file:") {
    root = loc.href.replace(/[?#].*$/, "").replace(/[^\\/]*$/, "");
  } else {
    var parts = loc.pathname.split("/");
    for (parts.pop(); parts.length > 0 && root === null; parts.pop()) {
      var dir = parts.join("/") + "/";
      try {
        var probe = new XMLHttpRequest();
        probe.open("GET", dir + "404.html", false);
        probe.send();
        if (probe.status === 200 && probe.responseText.indexOf("%(mark)s") >= 0) root = dir;
      } catch (e) {
        break;
      }
    }
  }
  var base = document.createElement("base");
  base.href = root === null ? fallback : root;
  document.head.appendChild(base);
})();
</script>"""

_CONFIG_SCRIPT = """<script>(function () {
  var el = document.getElementById("__config"), config = JSON.parse(el.textContent);
  config.base = new URL(config.base, document.baseURI).href;
  if (config.search) config.search = new URL(config.search, document.baseURI).href;
  el.textContent = JSON.stringify(config);
})();
</script>"""


def base_path(site_url: str | None) -> str:
    """The path MkDocs gives the 404 page's links: site_url's, or ``/``."""
    path = urlsplit(site_url or "/").path or "/"
    return path if path.endswith("/") else path + "/"


def relocatable(html: str, site_url: str | None) -> str:
    """The 404 page ``html`` (rendered by MkDocs for ``site_url``) with relative links
    and the root-finding script; unchanged if it has no ``<head>`` or is already done."""
    if MARK in html or not _HEAD.search(html):
        return html
    base = base_path(site_url)
    prefix = re.escape(base)

    def relative(m: re.Match[str]) -> str:
        rest = m.group(2)
        return f'{m.group(1)}"{rest or "./"}"'

    html = re.sub(rf'(\s(?:href|src|action)=)"{prefix}(?!/)([^"]*)"', relative, html)
    html = _CONFIG.sub(lambda m: m.group(1) + _relative_config(m.group(2), base) + m.group(3),
                       html, count=1)  # fmt: skip
    script = _ROOT_SCRIPT % {"fallback": json.dumps(base), "mark": MARK}
    # After <meta charset> when there is one: it must stay in the first 1024 bytes.
    head = _HEAD.search(html)
    assert head is not None
    charset = _CHARSET.search(html, head.end())
    at = charset.end() if charset else head.end()
    html = html[:at] + script + html[at:]
    config = _CONFIG.search(html)
    if config is not None:
        html = html[: config.end()] + _CONFIG_SCRIPT + html[config.end() :]
    return html


def _relative_config(text: str, base: str) -> str:
    """Material's ``__config`` with ``base`` and ``search`` made relative to the root."""
    try:
        config = json.loads(text)
    except ValueError:
        return text
    if not isinstance(config, dict):
        return text
    for key in ("base", "search"):
        value = config.get(key)
        if isinstance(value, str) and value.startswith(base):
            config[key] = value[len(base) :] or "."
    # Keep it safe inside <script>: no "</" can end the element early.
    return json.dumps(config).replace("</", "<\\/")
