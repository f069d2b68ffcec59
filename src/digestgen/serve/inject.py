"""What the preview adds to served HTML: the live-reload script and, after a failed build,
an overlay listing the errors. Only ever applied to responses, never to files on disk."""

from __future__ import annotations

import html
import re
from importlib.resources import files

from ..errors import Problem
from .state import Snapshot

PREFIX = "/__digestgen/"  # reserved for the preview's own endpoints
SCRIPT_PATH = PREFIX + "live.js"
POLL_PATH = PREFIX + "poll"
OVERLAY_ID = "digestgen-overlay"

LIVE_JS = files(__package__).joinpath("live.js").read_bytes()

_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

_OVERLAY_STYLE = (
    "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem;"
    "background:rgba(24,24,27,.94);color:#f4f4f5;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace"
)


def inject(page: bytes, snapshot: Snapshot) -> bytes:
    """``page`` with the snippet added just before its last ``</body>`` (or at the end)."""
    snippet = snippet_for(snapshot).encode("utf-8")
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + snippet
    at = ends[-1].start()
    return page[:at] + snippet + page[at:]


def snippet_for(snapshot: Snapshot) -> str:
    script = (
        f'<script src="{SCRIPT_PATH}" data-version="{html.escape(snapshot.version)}" '
        f'data-poll="{POLL_PATH}"></script>\n'
    )
    return overlay(snapshot.problems, snapshot.has_site) + script if snapshot.problems else script


def overlay(problems: tuple[Problem, ...], has_site: bool = True) -> str:
    """The failed build's errors, each as ``path:line: message``, escaped."""
    count = len(problems)
    showing = "Showing the last good build; save" if has_site else "Nothing built yet; save"
    lines = "\n".join(html.escape(str(p)) for p in problems)
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="{_OVERLAY_STYLE}">\n'
        f'<p style="margin:0 0 1rem;font-weight:bold;color:#fca5a5">Build failed: {count} '
        f'error{"s" if count != 1 else ""}. {showing} a fix to rebuild.</p>\n'
        f'<pre style="margin:0 0 1rem;white-space:pre-wrap;color:#fecaca">{lines}</pre>\n'
        f'<button type="button" data-digestgen-dismiss>Dismiss</button>\n'
        "</div>\n"
    )


def placeholder_page(snapshot: Snapshot) -> bytes:
    """Served for every page until a first build succeeds."""
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Build failed · digestgen</title>'
        "</head>\n<body>\n<h1>No site to show yet</h1>\n"
        "<p>The first build failed. Fix the errors below and save; this page reloads by itself.</p>\n"
        "</body>\n</html>\n"
    )
    return inject(page.encode("utf-8"), snapshot)
