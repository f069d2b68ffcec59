"""The preview's HTTP server: files under the preview root only, HTML with the live script added.

Stdlib only. :func:`resolve_request_path` decides what a URL may name and is pure; the
handler maps that decision to a response. Each request reads the files as they are at that
moment; a rebuild swaps a complete new site in at once, so a request sees the old build or
the new one, never a mix.
"""

from __future__ import annotations

import errno
import json
import logging
import mimetypes
import os
import re
import shutil
import socket
import socketserver
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote

from ..assets import HASHED_NAME
from .inject import LIVE_JS, POLL_PATH, PREFIX, SCRIPT_PATH, inject, placeholder_page
from .state import LiveState

log = logging.getLogger("digestgen")

MAX_URL_LENGTH = 2048
PORT_TRIES = 10  # a taken port moves to one of the next few
POLL_TIMEOUT = 25.0  # seconds a reload poll is held open before the tab asks again

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
}


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def split_target(target: str) -> tuple[str, str]:
    """A request target's path (still %-encoded) and query. Never parses ``//host`` as a host."""
    path, _, query = target.partition("?")
    return path.partition("#")[0], query


def url_parts(url_path: str) -> list[str] | None:
    """The decoded path segments of ``url_path``, or None when it must be refused: too long,
    not starting with ``/``, a ``..`` segment (also %-encoded), a NUL, a backslash, bad UTF-8."""
    if len(url_path) > MAX_URL_LENGTH:
        return None
    path, _ = split_target(url_path)
    if not path.startswith("/"):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None
    return parts


def resolve_request_path(root: Path, url_path: str) -> Path | None:
    """The file or folder under ``root`` that ``url_path`` names, or None if it is refused.

    The result may not exist; it never lies outside ``root``, symlinks included.
    """
    parts = url_parts(url_path)
    if parts is None:
        return None
    candidate = root.joinpath(*parts)
    if not candidate.resolve().is_relative_to(root.resolve()):
        return None
    return candidate


def from_site_root(url_path: str, base_path: str, root: Path) -> str:
    """``url_path`` as the preview serves it when the site is published under a subpath
    (``base_path``, ``/news/`` for ``https://example.org/news/``): ``/news/static/x.css`` is
    ``/static/x.css``. The preview serves the site at ``/``, and under its published path too,
    where the links of the 404 page lead (pages.absolute_root: a host shows that page at any
    depth, so they cannot be relative). A path whose first folder the site itself has (a site
    with a ``news/`` of its own) stays as it is."""
    prefix = base_path.rstrip("/")
    if not prefix or not url_path.startswith(prefix):
        return url_path
    rest = url_path[len(prefix):]
    if rest and rest[0] not in "/?#":  # /newsroom is not under /news/
        return url_path
    first = unquote(prefix.lstrip("/").split("/")[0])
    try:
        if (root / first).exists():
            return url_path
    except (OSError, ValueError):
        return url_path
    return rest if rest.startswith("/") else "/" + rest


def moved_url(shown: str, page: str, now: str) -> str:
    """The address a tab at URL path ``shown`` (which shows output ``page``) goes to now
    that the page is at output path ``now``: under the same prefix (a published subpath),
    ending as it ended (``…/`` or ``…/index.html``). Pure."""
    folder, new_folder = page.removesuffix("index.html"), now.removesuffix("index.html")
    at = unquote(shown).rfind(folder) if folder else -1
    if at < 0:
        return "/" + quote(now.removesuffix("index.html") if now.endswith("/index.html") else now)
    plain = unquote(shown)
    return quote(plain[:at] + new_folder + plain[at + len(folder):])


def page_file(url_path: str) -> str | None:
    """The output path of the HTML page a tab at ``url_path`` shows (``/stories/x/`` ->
    ``stories/x/index.html``), or None when the URL names no page. Pure: the file may not exist."""
    parts = url_parts(url_path)
    if parts is None:
        return None
    if not parts or split_target(url_path)[0].endswith("/"):
        parts.append("index.html")
    return "/".join(parts) if parts[-1].endswith(".html") else None


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open tabs and their polls never keep the process alive
    request_queue_size = 128  # many tabs connecting at once must not overflow the listen backlog
    block_on_close = False

    def __init__(self, address: tuple[str, int], root: Path, state: LiveState, *, poll_timeout: float = POLL_TIMEOUT):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.root = root
        self.state = state
        self.poll_timeout = poll_timeout
        self.base_path = "/"  # where the site is published on its host (from_site_root), once a build said
        super().__init__(address, PreviewHandler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's: its getfqdn() can stall on DNS
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        log.debug("request from %s failed", client_address, exc_info=True)


def bind(host: str, port: int, root: Path, state: LiveState, *, tries: int = PORT_TRIES, **options) -> PreviewServer:
    """A server on ``port``, or on the next free one of ``tries`` if it is taken (``port`` 0: any free port).

    Raises OSError (EADDRINUSE) when every port tried is taken.
    """
    candidates = [port] if port == 0 else range(port, min(port + tries, 65536))
    for candidate in candidates:
        try:
            return PreviewServer((host, candidate), root, state, **options)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or candidate == candidates[-1]:
                raise
    raise AssertionError("unreachable")


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "digestgen-preview"
    protocol_version = "HTTP/1.1"
    timeout = 120  # drop idle keep-alive connections eventually

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
        log.debug("%s - %s", self.address_string(), format % args)

    def _respond(self, *, head: bool) -> None:
        path, query = split_target(self.path)
        if len(self.path) > MAX_URL_LENGTH:
            self._text(HTTPStatus.REQUEST_URI_TOO_LONG, "URL too long", head)
        elif path == POLL_PATH:
            self._poll(query, head)
        elif path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, _TYPES[".js"], LIVE_JS, head)
        elif path.startswith(PREFIX):
            self._text(HTTPStatus.NOT_FOUND, "Not found", head)
        elif not self.server.state.snapshot().has_site:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, _TYPES[".html"], placeholder_page(self.server.state.snapshot()), head)
        else:
            self.path = from_site_root(self.path, self.server.base_path, self.server.root)
            self._site_file(split_target(self.path)[0], query, head)

    def _site_file(self, path: str, query: str, head: bool) -> None:
        snapshot = self.server.state.snapshot()
        ahead = snapshot.ahead.get(page_file(path) or "") if snapshot.ahead else None
        if ahead is not None:  # a page on screen, as the build under way will write it
            self._send(HTTPStatus.OK, _TYPES[".html"], inject(ahead, snapshot), head)
            return
        root = self.server.root
        target = resolve_request_path(root, self.path)
        if target is None:
            self._text(HTTPStatus.BAD_REQUEST, "Refused: not a path inside the site", head)
            return
        try:
            folder = target.is_dir()
        except OSError:  # a name longer than the file system takes, say: nothing is there
            folder = False
        if folder:
            if not path.endswith("/"):  # relative links inside the page need the slash
                parts = url_parts(self.path) or []
                location = "/" + quote("/".join(parts)) + ("/" if parts else "")
                self._redirect(location + (f"?{query}" if query else ""))
                return
            target = target / "index.html"
        # "/index.html/" names no file, as a static host would say (its relative links would break)
        found = (folder or not path.endswith("/")) and self._file(HTTPStatus.OK, target, head)
        if not found and not self._file(HTTPStatus.NOT_FOUND, root / "404.html", head):
            self._text(HTTPStatus.NOT_FOUND, "Not found", head)

    def _file(self, status: HTTPStatus, path: Path, head: bool) -> bool:
        """Send ``path`` if it is a file; False if it is not there (a rebuild may just have removed it)."""
        try:
            with path.open("rb") as file:
                kind = content_type(path)
                if kind.startswith("text/html"):
                    self._send(status, kind, inject(file.read(), self.server.state.snapshot()), head)
                    return True
                size, immutable = _size(file), status == HTTPStatus.OK and _fingerprinted(path)
                wanted = byte_range(self.headers.get("Range"), size) if status == HTTPStatus.OK else None
                if wanted == UNSATISFIABLE:
                    self._headers(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, kind, 0, extra={"Content-Range": f"bytes */{size}"})
                elif wanted is not None:  # a video or audio file seeked in the page, say (Safari asks for nothing else)
                    first, last = wanted
                    self._headers(HTTPStatus.PARTIAL_CONTENT, kind, last - first + 1, immutable,
                                  extra={"Content-Range": f"bytes {first}-{last}/{size}"})
                    if not head:
                        file.seek(first)
                        self._copy(file, last - first + 1)
                else:
                    self._headers(status, kind, size, immutable)
                    if not head:
                        shutil.copyfileobj(file, self.wfile)
                return True
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return False
        except OSError as exc:
            if exc.errno != errno.ENAMETOOLONG:
                raise
            return False

    def _poll(self, query: str, head: bool) -> None:
        state = self.server.state
        fields = parse_qs(query)
        seen = fields.get("since", [""])[0]
        # the page as the site names it: a tab at the published subpath (/news/x/) shows x/
        shown = fields.get("page", [""])[0]
        page = page_file(from_site_root(shown, self.server.base_path, self.server.root))
        snapshot = state.snapshot() if head else state.wait_for_change(seen, self.server.poll_timeout, page)
        reply = {"version": snapshot.version, "ok": not snapshot.problems, "reload": snapshot.needs_reload(seen, page)}
        if reply["reload"] and page in snapshot.moved:
            reply["go"] = moved_url(shown, page, snapshot.moved[page])
        body = json.dumps(reply).encode()
        self._send(HTTPStatus.OK, "application/json", body, head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _text(self, status: HTTPStatus, message: str, head: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", f"{int(status)} {message}\n".encode(), head)

    def _send(self, status: HTTPStatus, kind: str, body: bytes, head: bool) -> None:
        self._headers(status, kind, len(body))
        if not head:
            self.wfile.write(body)

    def _copy(self, file, count: int) -> None:  # noqa: ANN001
        while count > 0:
            chunk = file.read(min(count, 1 << 16))
            if not chunk:
                break
            self.wfile.write(chunk)
            count -= len(chunk)

    def _headers(self, status: HTTPStatus, kind: str, length: int, immutable: bool = False,
                 extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        if not kind.startswith("text/html"):
            self.send_header("Accept-Ranges", "bytes")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        # A preview must always show the latest build; but a file named by its content's hash
        # never changes, and letting the browser keep it means a reload fetches the page alone.
        self.send_header("Cache-Control", "max-age=31536000, immutable" if immutable else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()


UNSATISFIABLE = (-1, -1)
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte a ``Range`` header asks for, of a file of ``size`` bytes (RFC 9110
    14.1.2): None to send the whole file (no header, one not understood, or several ranges,
    which a preview need not split into parts), UNSATISFIABLE when it asks past the end."""
    match = _RANGE.fullmatch((header or "").strip())
    if not match or match.group(1) == match.group(2) == "":
        return None
    start, end = match.group(1), match.group(2)
    if start == "":  # the last ``end`` bytes
        count = int(end)
        return (max(0, size - count), size - 1) if count and size else UNSATISFIABLE
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if end and int(end) < first:
        return None  # not a range at all: ignored, as the RFC says
    return (first, last) if first < size else UNSATISFIABLE


def _fingerprinted(path: Path) -> bool:
    return HASHED_NAME.search(path.name) is not None


def _size(file) -> int:  # noqa: ANN001
    return os.fstat(file.fileno()).st_size
