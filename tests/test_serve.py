"""``digestgen serve``: the pure decisions, then a real server in-process on port 0.

No fixed sleeps: every wait is on an event, a long-poll or a deadline.
"""

from __future__ import annotations

import errno
import http.client
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from watchdog.events import DirModifiedEvent, FileModifiedEvent, FileMovedEvent, FileOpenedEvent

import digestgen.serve as serve_module
from digestgen.build import build
from digestgen.config import Paths
from digestgen.errors import Problem
from digestgen.render import theme_dir
from digestgen.serve import Preview
from digestgen.serve.inject import OVERLAY_ID, POLL_PATH, SCRIPT_PATH, inject, overlay
from digestgen.serve.latest import LatestOnly
from digestgen.serve.server import bind, content_type, from_site_root, moved_url, page_file, resolve_request_path
from digestgen.serve.state import ON_SCREEN_SECONDS, LiveState, Snapshot
from digestgen.serve.watch import Debouncer, event_paths, should_rebuild

WAIT = 15.0  # the most any test waits for a rebuild; a pass takes a fraction of it


# --- a small site ------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _no_background_job_fails(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202
    """The preview's background thread logs a job that raised and goes on, so an assertion or
    a wrong call inside one would pass unseen: such a job fails the test instead."""
    import traceback

    from digestgen.serve import latest

    failures: list[str] = []
    logged = latest.log.exception
    def exception(message: str, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if message == "background job failed":  # LatestOnly's (the logger is digestgen's, shared)
            failures.append(traceback.format_exc())
        logged(message, *args, **kwargs)

    monkeypatch.setattr(latest.log, "exception", exception)
    yield
    assert not failures, failures[0]


def article(title: str, body: str, *, date: str, source: str, url: str) -> str:
    return (
        f"---\ntitle: {json.dumps(title)}\ndate: {json.dumps(date)}\n"
        f"source: {json.dumps(source)}\nurl: {json.dumps(url)}\n---\n\n{textwrap.dedent(body).strip()}\n"
    )


ARTICLES = {
    "content/bakery.md": article(
        "Town bakery wins national prize for sourdough loaf",
        "The Miller Street bakery won the national sourdough prize on Saturday. Judges praised its crust.",
        date="2024-05-04", source="Valley Courier", url="https://courier.example/bakery",
    ),
    "content/bridge.md": article(
        "River bridge closes for three months of repairs",
        "The old iron bridge over the river closes on Monday for repairs to its deck and railings.",
        date="2024-05-06", source="City Ledger", url="https://ledger.example/bridge",
    ),
    "content/chess.md": article(
        "Teenager wins regional chess championship in Harlow",
        "A fifteen-year-old from Harlow won the regional chess championship after a tense final round.",
        date="2024-05-07", source="Harlow Star", url="https://star.example/chess",
    ),
}


@pytest.fixture
def site(tmp_path: Path) -> Paths:
    root = tmp_path / "site"
    for rel, text in {"digestgen.toml": 'title = "Preview Test Digest"\n', **ARTICLES}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "templates").mkdir()
    return Paths.for_site(root)


@pytest.fixture
def preview(site: Paths):
    with Preview(site, port=0, debounce=0.05, poll_timeout=WAIT) as running:
        yield running


# --- talking to it -----------------------------------------------------------------------

class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(base: str, path: str, method: str = "GET", timeout: float = WAIT, headers: dict | None = None) -> Response:
    """Send ``path`` exactly as given: no client-side normalising of ``..`` or escapes."""
    address = urlsplit(base)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        reply = conn.getresponse()
        return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read())
    finally:
        conn.close()


def version_of(page: str) -> str:
    marker = 'data-version="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def wait_for_rebuild(preview: Preview, seen: str) -> dict:
    """Long-poll like a browser tab: returns once a build newer than ``seen`` has finished."""
    reply = json.loads(request(preview.url, f"{POLL_PATH}?since={seen}").body)
    assert reply["version"] != seen, "no rebuild within the poll timeout"
    return reply


def story_page(root: Path, text: str) -> str:
    """The URL path of the story page that mentions ``text``."""
    for page in sorted(root.glob("stories/*/index.html")):
        if text in page.read_text(encoding="utf-8"):
            return "/" + page.parent.relative_to(root).as_posix() + "/"
    raise AssertionError(f"no story page mentions {text!r}")


def snapshot_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def files_containing(folder: Path, needle: bytes) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


# --- pure decisions ----------------------------------------------------------------------

class TestResolveRequestPath:
    @pytest.fixture
    def root(self, tmp_path: Path) -> Path:
        (tmp_path / "site" / "stories" / "a").mkdir(parents=True)
        (tmp_path / "site" / "stories" / "a" / "index.html").write_text("story")
        (tmp_path / "secret.txt").write_text("secret")
        return tmp_path / "site"

    @pytest.mark.parametrize("url, expected", [
        ("/", ""),
        ("/stories/a/", "stories/a"),
        ("/stories/a/index.html?x=1#top", "stories/a/index.html"),
        ("/stories/%61/index.html", "stories/a/index.html"),
        ("/./stories//a", "stories/a"),
        ("//etc/passwd", "etc/passwd"),  # an empty first segment is not an absolute path
        ("/%252e%252e/x", "%2e%2e/x"),  # double-encoded: a literal name, not a parent
    ])
    def test_names_a_path_under_the_root(self, root: Path, url: str, expected: str) -> None:
        assert resolve_request_path(root, url) == root.joinpath(*expected.split("/") if expected else [])

    @pytest.mark.parametrize("url", [
        "/../secret.txt",
        "/stories/../../secret.txt",
        "/stories/../stories/a/",  # even one that stays inside: browsers never send ".."
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/stories/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/a%00b",
        "/%ff%fe",
        "secret.txt",
        "http://example.com/secret.txt",
        "/" + "a" * 3000,
    ])
    def test_refuses_escapes_and_garbage(self, root: Path, url: str) -> None:
        assert resolve_request_path(root, url) is None

    def test_refuses_a_symlink_that_leads_out(self, root: Path) -> None:
        (root / "leak").symlink_to(root.parent / "secret.txt")
        assert resolve_request_path(root, "/leak") is None


class TestShouldRebuild:
    @pytest.mark.parametrize("rel", [
        "content/bakery.md", "content/world/x.txt", "templates/story.html", "templates/_macros.html",
        "static/logo.svg", "digestgen.toml", "content", "files/CNAME", "files/.well-known/security.txt",
        "content/.stories.json",  # story URLs edited by hand, or pulled
    ])
    def test_sources_count(self, site: Paths, rel: str) -> None:
        assert should_rebuild(site.site / rel, site)

    @pytest.mark.parametrize("rel", [
        "output/index.html", ".digestgen-cache/serve/index.html", "README.md", ".git/index",
        "content/.bakery.md.swp", "content/bakery.md~", "content/.#bakery.md", "content/#bakery.md#",
        "templates/4913", "content/.stories.json.1234.tmp", "content/.hidden/x.md", "static/x.tmp", "files/CNAME~",
        "content/sedaUW1XF",  # sed -i's temporary file
    ])
    def test_outputs_caches_and_editor_files_do_not(self, site: Paths, rel: str) -> None:
        assert not should_rebuild(site.site / rel, site)

    def test_ignored_folders_do_not_even_inside_sources(self, site: Paths) -> None:
        assert not should_rebuild(site.content / "preview" / "x.md", site, ignored=[site.content / "preview"])

    def test_a_config_file_elsewhere_counts(self, tmp_path: Path) -> None:
        paths = Paths.for_site(tmp_path / "site", config_file=tmp_path / "shared.toml")
        assert should_rebuild(tmp_path / "shared.toml", paths)
        assert not should_rebuild(tmp_path / "other.toml", paths)


def test_event_paths_ignore_reads_and_folder_timestamps() -> None:
    assert event_paths(FileOpenedEvent("/s/content/a.md")) == []
    assert event_paths(DirModifiedEvent("/s/content")) == []
    assert event_paths(FileModifiedEvent("/s/content/a.md")) == [Path("/s/content/a.md")]
    moved = FileMovedEvent("/s/content/.a.md.swp", "/s/content/a.md")
    assert event_paths(moved) == [Path("/s/content/.a.md.swp"), Path("/s/content/a.md")]


class TestDebouncer:
    def test_a_burst_becomes_one_call_with_every_change(self) -> None:
        calls: list[list[Path]] = []
        done = threading.Event()
        debouncer = Debouncer(lambda changes: (calls.append(changes), done.set()), delay=0.2)
        try:
            for i in range(20):
                debouncer.trigger(Path(f"f{i % 5}"))
            assert done.wait(WAIT)
            assert calls == [[Path(f"f{i}") for i in range(5)]]
        finally:
            debouncer.stop(timeout=WAIT)

    def test_changes_during_a_call_make_one_more_call(self) -> None:
        calls: list[list[Path]] = []
        inside, release, second = threading.Event(), threading.Event(), threading.Event()

        def action(changes: list[Path]) -> None:
            calls.append(changes)
            if len(calls) == 1:
                inside.set()
                release.wait(WAIT)
            else:
                second.set()

        debouncer = Debouncer(action, delay=0.01)
        try:
            debouncer.trigger(Path("a"))
            assert inside.wait(WAIT)
            debouncer.trigger(Path("b"))
            debouncer.trigger(Path("c"))
            release.set()
            assert second.wait(WAIT)
            assert calls == [[Path("a")], [Path("b"), Path("c")]]
        finally:
            debouncer.stop(timeout=WAIT)

    def test_an_action_that_raises_does_not_stop_it(self, caplog: pytest.LogCaptureFixture) -> None:
        failed, ran = threading.Event(), threading.Event()

        def action(changes: list[Path]) -> None:
            if not failed.is_set():
                failed.set()
                raise RuntimeError("boom")
            ran.set()

        debouncer = Debouncer(action, delay=0.01)
        try:
            with caplog.at_level(logging.ERROR, logger="digestgen"):
                debouncer.trigger(Path("a"))
                assert failed.wait(WAIT)
                debouncer.trigger(Path("b"))
                assert ran.wait(WAIT)
            assert "boom" in caplog.text
        finally:
            debouncer.stop(timeout=WAIT)


def test_latest_only_runs_the_last_request_and_tells_the_running_job_it_is_stale() -> None:
    started, release = threading.Event(), threading.Event()
    ran: list[tuple[str, bool]] = []

    def job(value: str, stale) -> None:  # noqa: ANN001
        if value == "first":
            started.set()
            assert release.wait(WAIT)
        ran.append((value, stale()))

    worker = LatestOnly(job, name="test-latest")
    try:
        worker.request("first")
        assert started.wait(WAIT)
        worker.request("second")
        worker.request("third")  # replaces "second", which never runs
        assert not worker.idle()
        release.set()
        deadline = time.monotonic() + WAIT
        while not worker.idle():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert ran == [("first", True), ("third", False)]
        worker.request("fourth")
        worker.cancel()  # dropped before it ran, or made stale if it had started
        while not worker.idle():
            time.sleep(0.01)
        assert ran[2:] in ([], [("fourth", True)])
    finally:
        worker.stop(timeout=WAIT)


class TestInjection:
    ok = Snapshot("run-1", (), True)

    def test_goes_before_the_last_closing_body_tag(self) -> None:
        page = b"<html><body><p>x</p><!-- </body> --></BODY ></html>"
        out = inject(page, self.ok)
        assert out.startswith(b"<html><body><p>x</p><!-- </body> --><script src=")
        assert out.endswith(b"</BODY ></html>")
        assert b'data-version="run-1"' in out and SCRIPT_PATH.encode() in out

    def test_a_page_without_a_body_tag_gets_it_at_the_end(self) -> None:
        assert inject(b"<p>fragment</p>", self.ok).startswith(b"<p>fragment</p><script")

    def test_no_overlay_after_a_good_build(self) -> None:
        assert OVERLAY_ID.encode() not in inject(b"<body></body>", self.ok)

    def test_overlay_names_file_and_line_and_escapes_everything(self) -> None:
        problems = (Problem("templates/<story>.html", 3, 'unexpected "</pre><script>alert(1)</script>"'),)
        html = overlay(problems)
        assert "templates/&lt;story&gt;.html:3: unexpected &quot;&lt;/pre&gt;&lt;script&gt;" in html
        assert "<script>" not in html and "<story>" not in html
        assert "1 error." in html

    def test_overlay_is_in_the_page_after_a_failed_build(self) -> None:
        failed = Snapshot("run-2", (Problem("a.md", None, "bad"),), True)
        assert f'id="{OVERLAY_ID}"'.encode() in inject(b"<body></body>", failed)


@pytest.mark.parametrize("name, expected", [
    ("index.html", "text/html; charset=utf-8"),
    ("style.1a2b.css", "text/css; charset=utf-8"),
    ("search.js", "text/javascript; charset=utf-8"),
    ("digest.json", "application/json"),
    ("feed.xml", "application/xml"),
    ("logo.svg", "image/svg+xml"),
    ("font.woff2", "font/woff2"),
    ("data.unknownext", "application/octet-stream"),
])
def test_content_types(name: str, expected: str) -> None:
    assert content_type(Path(name)) == expected


def test_state_waits_only_while_nothing_changed() -> None:
    state = LiveState()
    first = state.snapshot()
    assert state.wait_for_change(first.version, timeout=0.01) == first  # timed out
    assert state.wait_for_change("an old version", timeout=WAIT) == first  # at once
    threading.Timer(0.05, state.publish).start()
    assert state.wait_for_change(first.version, timeout=WAIT).version != first.version


@pytest.mark.parametrize(("url", "expected"), [
    ("/", "index.html"),
    ("/stories/bridge-closes/", "stories/bridge-closes/index.html"),
    ("/page/2/index.html", "page/2/index.html"),
    ("/stories/caf%C3%A9/", "stories/café/index.html"),
    ("/feed.xml", None),
    ("/static/style.css", None),
    ("/../etc/", None),
    ("", None),
])
def test_the_page_a_tab_shows_is_named_by_its_output_path(url: str, expected: str | None) -> None:
    assert page_file(url) == expected


@pytest.mark.parametrize(("url", "expected"), [
    ("/news/static/style.css", "/static/style.css"),
    ("/news/", "/"),
    ("/news", "/"),
    ("/news?q=1", "/?q=1"),
    ("/newsroom/", "/newsroom/"),  # not under /news/
    ("/static/style.css", "/static/style.css"),  # the site at / as well
    ("/own/x.html", "/own/x.html"),  # the site has an own/ of its own: as it is
])
def test_a_site_published_under_a_subpath_is_served_there_too(tmp_path: Path, url: str, expected: str) -> None:
    (tmp_path / "own").mkdir()
    assert from_site_root(url, "/news/", tmp_path) == expected
    assert from_site_root(url.replace("/news", "/own"), "/own/", tmp_path) == url.replace("/news", "/own")
    assert from_site_root(url, "/", tmp_path) == url


def test_the_404_page_of_a_site_under_a_subpath_links_what_the_preview_serves(site: Paths) -> None:
    """The 404 page links from where the site is published (/news/...), as a host shows it at
    any depth: in the preview, those links must lead somewhere too."""
    site.config_file.write_text('title = "Preview Test Digest"\nbase_url = "https://example.org/news/"\n', encoding="utf-8")
    with Preview(site, port=0, debounce=0.05, poll_timeout=WAIT) as running:
        missing = request(running.url, "/no/such/page/")
        assert missing.status == 404
        links = re.findall(r'(?:href|src)="(/news/[^"]*)"', missing.text)
        assert any(link.endswith(".css") for link in links) and "/news/index.html" in links
        for link in links:
            assert request(running.url, link).status == 200, link


def test_a_tab_at_the_published_subpath_counts_its_page_as_on_screen(site: Paths) -> None:
    """Named /news/articles/x/index.html, it was no page: an edit reloaded the tab to the old
    file first, and to the new one a second or two later."""
    site.config_file.write_text('title = "Preview Test Digest"\nbase_url = "https://example.org/news/"\n', encoding="utf-8")
    with Preview(site, port=0, debounce=0.05, poll_timeout=WAIT) as running:
        request(running.url, f"{POLL_PATH}?since=an-old-version&page={quote('/news/stories/x/')}")
        assert running.state.on_screen() == ["stories/x/index.html"]


def test_pages_count_as_on_screen_while_tabs_wait_on_them_and_for_a_while_after() -> None:
    now = [1000.0]
    state = LiveState(clock=lambda: now[0])
    seen = state.snapshot().version
    state.wait_for_change(seen, timeout=0.01, page="articles/a/index.html")  # a tab that asked, then reloaded
    now[0] += 5
    waiting = threading.Thread(target=state.wait_for_change, args=(seen, WAIT, "index.html"))
    waiting.start()
    deadline = time.monotonic() + WAIT
    while "index.html" not in state.on_screen():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert state.on_screen() == ["index.html", "articles/a/index.html"]  # waiting first, then the latest
    now[0] += ON_SCREEN_SECONDS + 1
    assert state.on_screen() == ["index.html"]  # still waited on; the other tab has gone
    state.publish()
    waiting.join(WAIT)
    now[0] += ON_SCREEN_SECONDS + 1
    assert state.on_screen() == []


def test_a_version_that_settled_a_page_reloads_only_the_tabs_that_showed_it_before_it() -> None:
    state = LiveState()
    first = state.publish().version
    second = state.publish(settled={"index.html"})
    assert not second.needs_reload(first, "index.html")  # it shows this version already
    assert second.needs_reload(first, "articles/a/index.html")  # another page: it may be stale
    assert second.needs_reload("an older version", "index.html")
    assert second.needs_reload(first, None)
    failed = state.publish([Problem("story.html", 3, "broken")], settled={"index.html"})
    assert failed.needs_reload(second.version, "index.html")  # a failure always shows


# --- the server --------------------------------------------------------------------------

class TestServing:
    def test_pages_get_the_live_script_and_files_come_as_they_are(self, preview: Preview) -> None:
        page = request(preview.url, "/")
        assert page.status == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-store"
        assert "Preview Test Digest" in page.text
        assert f'<script src="{SCRIPT_PATH}"' in page.text
        assert int(page.headers["content-length"]) == len(page.body)

        digest = request(preview.url, "/digest.json")
        assert digest.headers["content-type"] == "application/json"
        assert digest.body == (preview.root / "digest.json").read_bytes()

        script = request(preview.url, SCRIPT_PATH)
        assert script.status == 200 and script.headers["content-type"].startswith("text/javascript")

    def test_only_files_named_by_their_hash_may_be_kept_by_the_browser(self, preview: Preview) -> None:
        """A reload then fetches the page alone; anything else is always fetched afresh."""
        styles = sorted((preview.root / "static").glob("*.*.css"))
        assert styles
        for style in styles:
            kept = request(preview.url, "/static/" + style.name)
            assert kept.status == 200 and kept.headers["cache-control"] == "max-age=31536000, immutable"
        plain = request(preview.url, "/static/style.css")  # published under its own name too, for @import
        assert plain.status == 200 and plain.headers["cache-control"] == "no-store"
        assert request(preview.url, "/digest.json").headers["cache-control"] == "no-store"
        missing = request(preview.url, "/static/site.0123456789.css")  # the 404 page, not a hashed file
        assert missing.status == 404 and missing.headers["cache-control"] == "no-store"

    def test_a_range_of_a_file_is_sent_as_asked(self, preview: Preview) -> None:
        """A video seeked in a page asks for a range of bytes; Safari plays nothing otherwise."""
        style = next((preview.root / "static").glob("style.*.css"))
        whole = style.read_bytes()
        part = request(preview.url, "/static/" + style.name, headers={"Range": "bytes=10-19"})
        assert part.status == 206 and part.body == whole[10:20]
        assert part.headers["content-range"] == f"bytes 10-19/{len(whole)}" and part.headers["content-length"] == "10"
        assert request(preview.url, "/static/" + style.name, headers={"Range": "bytes=-5"}).body == whole[-5:]
        past = request(preview.url, "/static/" + style.name, headers={"Range": f"bytes={len(whole)}-"})
        assert past.status == 416 and past.headers["content-range"] == f"bytes */{len(whole)}"
        plain = request(preview.url, "/static/" + style.name)
        assert plain.status == 200 and plain.body == whole and plain.headers["accept-ranges"] == "bytes"

    @pytest.mark.parametrize(("header", "expected"), [
        (None, None), ("bytes=0-0", (0, 0)), ("bytes=5-", (5, 99)), ("bytes=-10", (90, 99)), ("bytes=90-500", (90, 99)),
        ("bytes=100-", (-1, -1)), ("bytes=-0", (-1, -1)), ("bytes=9-3", None), ("bytes=0-1,5-6", None), ("items=0-5", None),
    ])
    def test_which_bytes_a_range_header_asks_for(self, header: str | None, expected) -> None:  # noqa: ANN001
        from digestgen.serve.server import byte_range

        assert byte_range(header, 100) == expected

    def test_head_sends_the_headers_of_get_without_a_body(self, preview: Preview) -> None:
        for path in ("/", "/digest.json", "/no-such-page"):
            got, head = request(preview.url, path), request(preview.url, path, method="HEAD")
            assert head.status == got.status
            assert head.body == b""
            assert head.headers["content-length"] == got.headers["content-length"]
            assert head.headers["content-type"] == got.headers["content-type"]

    def test_a_miss_gets_the_sites_404_page_with_status_404(self, preview: Preview) -> None:
        missing = request(preview.url, "/stories/no-such-story/")
        assert missing.status == 404
        assert "Page not found" in missing.text
        assert SCRIPT_PATH in missing.text  # it reloads too, e.g. once the story exists

    def test_folders_serve_index_html_and_get_their_slash(self, preview: Preview) -> None:
        story = story_page(preview.root, "bakery")
        assert request(preview.url, story).status == 200
        moved = request(preview.url, story.rstrip("/") + "?q=1")
        assert moved.status == 301
        assert moved.headers["location"] == story + "?q=1"
        assert request(preview.url, "//stories").headers["location"] == "/stories/"  # never //host

    @pytest.mark.parametrize("path", [
        "/../digestgen.toml",
        "/../../../../etc/passwd",
        "/%2e%2e/digestgen.toml",
        "/%2E%2E%2F%2e%2e%2Fsite%2Fdigestgen.toml",
        "/stories/..%2f..%2fdigestgen.toml",
        "/index.html%00.txt",
    ])
    def test_paths_out_of_the_site_are_refused(self, preview: Preview, path: str) -> None:
        reply = request(preview.url, path)
        assert reply.status == 400
        assert b"title" not in reply.body and b"root:" not in reply.body

    @pytest.mark.parametrize("page", ["/../../etc/passwd", "/%2e%2e/secret/", "/%ff/", "/a\\b/", "index.html", "/feed.xml"])
    def test_a_tab_naming_no_page_of_the_site_is_answered_and_puts_nothing_on_screen(
        self, preview: Preview, page: str
    ) -> None:
        reply = request(preview.url, f"{POLL_PATH}?since=an-old-version&page={quote(page)}")
        assert reply.status == 200 and json.loads(reply.body)["reload"] is True
        assert preview.state.on_screen() == []
        request(preview.url, f"{POLL_PATH}?since=an-old-version&page=/")
        assert preview.state.on_screen() == ["index.html"]

    def test_very_long_urls_are_refused(self, preview: Preview) -> None:
        assert request(preview.url, "/" + "a" * 5000).status == 414

    @pytest.mark.parametrize("path", ["/" + "a" * 256, "/stories/" + quote("é" * 200) + "/", "/index.html/", "/feed.xml/x"])
    def test_names_no_file_could_have_get_the_404_page(self, preview: Preview, path: str) -> None:
        """A name longer than the file system takes dropped the connection; a file named as a
        folder was served, its relative links broken."""
        reply = request(preview.url, path)
        assert reply.status == 404 and "Page not found" in reply.text

    def test_many_clients_at_once_while_tabs_wait_for_a_reload(self, preview: Preview) -> None:
        seen = version_of(request(preview.url, "/").text)
        with ThreadPoolExecutor(max_workers=40) as pool:
            waiting = [pool.submit(request, preview.url, f"{POLL_PATH}?since={seen}") for _ in range(10)]
            pages = list(pool.map(lambda _: request(preview.url, "/").status, range(60)))
            assert pages == [200] * 60
            assert not any(w.done() for w in waiting)  # the tabs still wait: nothing changed
            preview.rebuild()
            assert all(json.loads(w.result(WAIT).body)["version"] != seen for w in waiting)


class TestLiveReload:
    def test_an_edit_reloads_tabs_and_changes_the_page(self, preview: Preview, site: Paths) -> None:
        story = story_page(preview.root, "Miller Street")
        before = request(preview.url, story).text
        assert "Miller Street" in before and "Baker Lane" not in before

        bakery = site.content / "bakery.md"
        bakery.write_text(bakery.read_text().replace("Miller Street", "Baker Lane"), encoding="utf-8")

        assert wait_for_rebuild(preview, version_of(before))["ok"] is True
        after = request(preview.url, story).text
        assert "Baker Lane" in after and "Miller Street" not in after
        assert OVERLAY_ID not in after

    def test_requests_during_rebuilds_get_a_whole_build(self, preview: Preview, site: Paths) -> None:
        story = story_page(preview.root, "Miller Street")
        bakery = site.content / "bakery.md"
        original = bakery.read_text(encoding="utf-8")
        replies: list[Response] = []
        done = threading.Event()

        def reader() -> None:
            while not done.is_set():
                replies.append(request(preview.url, story))

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            for number in range(4):
                seen = preview.state.snapshot().version
                text = original.replace("Miller Street", "Baker Lane") if number % 2 == 0 else original
                # Saved atomically, as many editors do: this test is about the output, and a
                # build that reads a half-saved file rightly shows what it read.
                saving = bakery.with_suffix(".tmp")
                saving.write_text(text, encoding="utf-8")
                os.replace(saving, bakery)
                assert wait_for_rebuild(preview, seen)["ok"] is True
        finally:
            done.set()
            thread.join(WAIT)
        assert len(replies) > 4
        for reply in replies:
            assert reply.status == 200
            assert reply.text.rstrip().endswith("</html>")
            assert ("Miller Street" in reply.text) != ("Baker Lane" in reply.text)

    def test_a_config_edit_takes_effect_without_a_restart(self, preview: Preview, site: Paths) -> None:
        seen = version_of(request(preview.url, "/").text)
        site.config_file.write_text('title = "Renamed Digest"\n', encoding="utf-8")
        wait_for_rebuild(preview, seen)
        assert "Renamed Digest" in request(preview.url, "/").text

    def test_a_broken_template_shows_the_error_keeps_the_site_and_recovers(
        self, preview: Preview, site: Paths
    ) -> None:
        story = story_page(preview.root, "Miller Street")
        seen = version_of(request(preview.url, story).text)

        broken = site.templates / "story.html"
        broken.write_text('{% extends "base.html" %}\n\n{% if %}\n', encoding="utf-8")
        assert wait_for_rebuild(preview, seen)["ok"] is False

        page = request(preview.url, story)
        assert page.status == 200
        assert "Miller Street" in page.text  # the last good build, still served
        assert f'id="{OVERLAY_ID}"' in page.text
        assert "story.html:3:" in page.text  # file and line
        assert request(preview.url, "/").status == 200  # the server lives
        seen = version_of(page.text)

        broken.unlink()  # back to the theme's template
        assert wait_for_rebuild(preview, seen)["ok"] is True
        page = request(preview.url, story)
        assert OVERLAY_ID not in page.text and "Miller Street" in page.text

    def test_the_script_never_reaches_files_on_disk(self, site: Paths) -> None:
        build(site)  # what `digestgen build` publishes
        published = {p: p.read_bytes() for p in site.output.rglob("*") if p.is_file()}
        with Preview(site, port=0, debounce=0.05, poll_timeout=WAIT) as running:
            seen = version_of(request(running.url, "/").text)
            bakery = site.content / "bakery.md"
            bakery.write_text(bakery.read_text().replace("Miller Street", "Baker Lane"), encoding="utf-8")
            wait_for_rebuild(running, seen)
            assert files_containing(running.root, b"__digestgen") == []
            assert files_containing(running.root, b"Baker Lane")
        assert {p: p.read_bytes() for p in site.output.rglob("*") if p.is_file()} == published
        assert files_containing(site.output, b"__digestgen") == []
        assert not running.root.exists()  # the preview folder is cleaned up

    def test_builds_and_publishing_do_not_trigger_rebuilds(self, site: Paths) -> None:
        """A build that wrote into a watched folder would rebuild forever; so would reacting
        to `digestgen build` publishing (output/, the cache, the story lock)."""
        with Preview(site, port=0, debounce=0.05, poll_timeout=1.0) as running:
            seen = running.state.snapshot().version
            build(site)
            quiet = json.loads(request(running.url, f"{POLL_PATH}?since={seen}").body)
            assert quiet["version"] == seen, "rebuilt although no source changed"

    def test_a_story_url_edited_in_the_lock_shows(self, site: Paths) -> None:
        with Preview(site, port=0, debounce=0.05, poll_timeout=WAIT) as running:
            build(site)  # the lock, as the preview shows it already: no rebuild (the test above)
            lock = json.loads(site.lock_file.read_text(encoding="utf-8"))
            old = next(slug for slug, paths in lock["stories"].items() if "bakery.md" in paths)
            lock["stories"]["the-prize-loaf"] = lock["stories"].pop(old)
            seen = running.state.snapshot().version
            site.lock_file.write_text(json.dumps(lock), encoding="utf-8")
            wait_for_rebuild(running, seen)
            assert request(running.url, "/stories/the-prize-loaf/").status == 200
            assert request(running.url, f"/stories/{old}/").status == 404

    def test_an_unexpected_build_crash_is_shown_and_survived(
        self, preview: Preview, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def crash(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            raise RuntimeError("disk <gremlins>")

        monkeypatch.setattr(serve_module, "build", crash)
        assert preview.rebuild().problems
        page = request(preview.url, "/").text
        assert "unexpected error: RuntimeError: disk &lt;gremlins&gt;" in page
        monkeypatch.undo()
        assert preview.rebuild().problems == ()
        assert OVERLAY_ID not in request(preview.url, "/").text

    def test_the_first_build_runs_before_the_preview_has_a_thread_and_misses_no_save(
        self, site: Paths, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Alone in its process, the first build may fork workers onto every core; a save
        made while it ran, when no watcher was looking yet, is built straight after it."""
        threads, real_build = [], serve_module.build

        def first_build_then_a_save(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            threads.append(threading.active_count())
            result = real_build(*args, **kwargs)
            if len(threads) == 1:  # saved after the first build read the article
                bakery = site.content / "bakery.md"
                bakery.write_text(bakery.read_text().replace("Miller Street", "Baker Lane"), encoding="utf-8")
            return result

        monkeypatch.setattr(serve_module, "build", first_build_then_a_save)
        alone = threading.active_count()
        # a watcher that polls once an hour sees nothing: only the check after the first build can
        with Preview(site, port=0, poll=True, poll_interval=3600, poll_timeout=WAIT) as running:
            assert threads[0] == alone
            page = request(running.url, story_page(running.root, "sourdough")).text
            assert "Baker Lane" in page and "Miller Street" not in page
        assert len(threads) == 2

    def test_a_preview_whose_sources_stay_put_builds_once(self, site: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
        builds, real_build = [], serve_module.build
        monkeypatch.setattr(serve_module, "build", lambda *a, **k: builds.append(1) or real_build(*a, **k))
        with Preview(site, port=0, poll=True, poll_interval=3600, poll_timeout=WAIT) as running:
            assert request(running.url, "/").status == 200
        assert len(builds) == 1

    def test_a_first_build_that_fails_is_shown_until_fixed(self, site: Paths) -> None:
        broken = site.templates / "index.html"
        broken.write_text("{% if %}\n", encoding="utf-8")
        with Preview(site, port=0, debounce=0.05, poll_timeout=WAIT) as running:
            page = request(running.url, "/")
            assert page.status == 500
            assert "index.html:1:" in page.text and "Nothing built yet" in page.text
            broken.unlink()
            wait_for_rebuild(running, version_of(page.text))
            page = request(running.url, "/")
            assert page.status == 200 and "Preview Test Digest" in page.text

    def test_source_folders_that_appear_or_return_are_watched(self, preview: Preview, site: Paths) -> None:
        seen = version_of(request(preview.url, "/").text)
        shutil.rmtree(site.templates)  # none of them used: the site is as it was, and no tab reloads
        time.sleep(0.3)
        settle(preview)
        assert preview.state.snapshot().version == seen
        site.templates.mkdir()
        (site.templates / "index.html").write_text("{% if %}\n", encoding="utf-8")
        while wait_for_rebuild(preview, seen)["ok"]:  # the folder may be seen before the file
            seen = preview.state.snapshot().version
        page = request(preview.url, "/").text
        assert "index.html:1:" in page
        (site.templates / "index.html").unlink()  # seen only through the new watch on templates/
        assert wait_for_rebuild(preview, version_of(page))["ok"] is True

    def test_edits_in_a_content_folder_that_is_a_symlink_are_seen(self, site: Paths, tmp_path: Path) -> None:
        """content/ kept in another repository and linked in: OS events are not followed
        through a link, and the preview went stale without a word."""
        shared = tmp_path / "shared-content"
        site.content.rename(shared)
        site.content.symlink_to(shared, target_is_directory=True)
        with Preview(site, port=0, debounce=0.05, poll_timeout=WAIT) as running:
            _a_new_article_shows(running, shared)

    def test_polling_observer_sees_edits_too(self, site: Paths) -> None:
        with Preview(site, port=0, poll=True, poll_interval=0.05, debounce=0.05, poll_timeout=WAIT) as running:
            _a_new_article_shows(running, site.content)


def _a_new_article_shows(running: Preview, folder: Path) -> None:
    """An article saved into ``folder`` is on the preview's front page after the rebuild."""
    seen = version_of(request(running.url, "/").text)
    (folder / "new.md").write_text(article(
        "Lighthouse keeper retires after forty years",
        "The keeper of the Point lighthouse retired on Friday after forty years of service.",
        date="2024-05-08", source="Coast News", url="https://coast.example/lighthouse",
    ), encoding="utf-8")
    wait_for_rebuild(running, seen)
    assert "Lighthouse keeper retires" in request(running.url, "/").text


# --- ports and the command line ------------------------------------------------------------

def test_a_taken_port_moves_to_the_next_free_one_and_says_so(
    site: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError) as refused:
            bind("127.0.0.1", port, site.site, LiveState(), tries=1)
        assert refused.value.errno == errno.EADDRINUSE
        with caplog.at_level(logging.WARNING, logger="digestgen"):
            with Preview(site, port=port) as running:
                assert urlsplit(running.url).port != port
                assert request(running.url, "/").status == 200
        assert f"Port {port} is in use" in caplog.text


@pytest.mark.skipif(os.name != "posix", reason="SIGINT and SIGTERM are POSIX signals")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_cli_serves_prints_the_url_and_stops_cleanly(site: Paths, stop: signal.Signals) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "digestgen", "serve", "--site", str(site.site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = _read_line(proc, WAIT * 2)
        assert line.startswith("Serving ") and "http://127.0.0.1:" in line
        url = line.split(" at ", 1)[1].split()[0]
        assert "Preview Test Digest" in request(url, "/").text
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert err.startswith(f"Building the preview of {site.site}…")  # a big site's first build takes a while
    assert not site.output.exists()  # serve never writes the published output


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not found or not found[0]:
        proc.kill()
        raise AssertionError(f"no URL printed; stderr: {proc.communicate()[1]}")
    return found[0]


def test_a_failed_start_releases_the_port_and_the_preview_folder(
    site: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_watcher(self) -> None:  # noqa: ANN001
        raise RuntimeError("no watching today")

    monkeypatch.setattr(serve_module.SourceWatcher, "start", broken_watcher)
    preview = Preview(site, port=0)
    with pytest.raises(RuntimeError, match="no watching today"):
        preview.start()
    assert preview.root is not None and not preview.root.parent.exists()


def test_serve_says_clearly_when_no_port_is_free(site: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    def taken(host, port, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise OSError(errno.EADDRINUSE, "Address already in use")

    monkeypatch.setattr(serve_module, "bind", taken)
    with pytest.raises(serve_module.PreviewError) as refused:
        serve_module.serve(site, port=8000)
    assert "ports 8000 to 8009 are all in use" in str(refused.value) and "--port 0" in str(refused.value)


def test_cli_help_lists_serve() -> None:
    out = subprocess.run([sys.executable, "-m", "digestgen", "serve", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for option in ("--site", "--host", "--port", "--poll"):
        assert option in out.stdout


def test_the_preview_goes_to_memory_when_there_is_room_and_cleans_up_after_killed_ones(
    site: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ram = tmp_path / "ram"
    ram.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    abandoned = ram / f"digestgen-serve-{dead.pid}-abc123"
    (abandoned / "site").mkdir(parents=True)
    someone_elses = ram / "digestgen-serve-notes"
    someone_elses.mkdir()
    monkeypatch.setattr(serve_module, "_RAM_FOLDER", ram)
    from digestgen import cache

    cache.save_build(site.cache, abandoned / "site", cache.BuildRecord(inputs="", valid_until=None, output=(0, 0), stories=0,
                                                                     entries=0, files=0, warnings=[], products={},
                                                                     search_files=[], written=0))
    records = sorted(site.cache.glob("last-build-*.json"))
    with Preview(site, port=0, poll_timeout=WAIT) as preview:
        assert preview.root is not None and preview.root.is_relative_to(ram)
        assert (preview.root / "index.html").is_file()
    assert not abandoned.exists() and someone_elses.exists()
    assert [p.name for p in ram.iterdir()] == ["digestgen-serve-notes"]  # its own folder went when it stopped
    # and the records of the builds into them: one a preview, they piled up in the site's cache
    assert len(records) == 1 and sorted(site.cache.glob("last-build-*.json")) == []

    monkeypatch.setattr(serve_module, "_has_room", lambda folder, content, copied=(): False)
    with Preview(site, port=0, poll_timeout=WAIT) as preview:
        assert preview.root is not None and not preview.root.is_relative_to(ram)


@pytest.fixture
def quiet_preview(site: Paths):
    """A preview whose watcher never fires (it polls once an hour): the test calls rebuild()
    itself, so each save makes exactly the builds under test."""
    with Preview(site, port=0, poll=True, poll_interval=3600, poll_timeout=WAIT) as running:
        yield running


def _record_builds(monkeypatch: pytest.MonkeyPatch, preview: Preview) -> tuple[list, list]:
    builds: list[tuple[bool, dict]] = []  # (provisional, digest.json) of each build, in order
    publishes: list[tuple] = []
    real_build, real_publish = serve_module.build, preview.state.publish

    def recording(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = real_build(*args, **kwargs)
        builds.append((result.provisional, json.loads((preview.root / "digest.json").read_text(encoding="utf-8"))))
        return result

    monkeypatch.setattr(serve_module, "build", recording)
    monkeypatch.setattr(preview.state, "publish",
                        lambda problems, **kw: publishes.append(problems) or real_publish(problems, **kw))
    return builds, publishes


def _record_publishes(monkeypatch: pytest.MonkeyPatch, preview: Preview) -> list[tuple[tuple, dict]]:
    """(problems, options) of each publish, in order."""
    publishes: list[tuple[tuple, dict]] = []
    real_publish = preview.state.publish
    monkeypatch.setattr(preview.state, "publish",
                        lambda problems, **kw: publishes.append((problems, kw)) or real_publish(problems, **kw))
    return publishes


def _second_bakery_report(site: Paths) -> Path:
    """A new article: another outlet's version of the bakery story."""
    new = site.content / "bakery-2.md"
    new.write_text(article(
        "Miller Street bakery takes national sourdough prize",
        "Judges gave the national sourdough prize to the Miller Street bakery on Saturday, praising its crust.",
        date="2024-05-05", source="Harlow Star", url="https://star.example/bakery",
    ), encoding="utf-8")
    return new


def _harbour_article(site: Paths) -> Path:
    """A new article, of a story of its own."""
    new = site.content / "harbour.md"
    new.write_text(article("Harbour authority starts dredging the silted channel", "Dredgers arrived on Monday.",
                           date="2024-05-08", source="Valley Courier", url="https://courier.example/harbour"),
                   encoding="utf-8")
    return new


def settle(preview: Preview) -> None:
    """Wait until the exact build that follows a save (on its own thread) is done."""
    deadline = time.monotonic() + WAIT
    while not preview.idle():
        assert time.monotonic() < deadline, "the preview did not settle"
        time.sleep(0.01)


def _clean_build(site: Paths, tmp_path: Path) -> dict[str, bytes]:
    """What an exact build of the site's content gives, built apart from the preview."""
    exact = tmp_path / "exact"
    build(Paths.for_site(site.site, output=exact), update_lock=False)
    return snapshot_of(exact)


def _story_of(digest: dict, path: str) -> list[str]:
    return next(sorted(e["source_path"] for e in s["entries"]) for s in digest["stories"]
                if path in [e["source_path"] for e in s["entries"]])


def test_an_edit_shows_before_regrouping_and_the_exact_build_follows(
    quiet_preview: Preview, site: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save is first built with every article in the story it had and new ones on their
    own (no regrouping, so it shows at once), and published; the exact build follows and is
    published too, and the preview ends as a clean build of the same content would be."""
    builds, publishes = _record_builds(monkeypatch, quiet_preview)
    new = _second_bakery_report(site)
    quiet_preview.rebuild([new])
    settle(quiet_preview)

    assert [provisional for provisional, _ in builds] == [True, False]
    assert _story_of(builds[0][1], "bakery-2.md") == ["bakery-2.md"]
    assert _story_of(builds[1][1], "bakery-2.md") == ["bakery-2.md", "bakery.md"]
    assert publishes == [(), ()]  # open tabs reload for the quick look, then for the stories
    assert snapshot_of(quiet_preview.root) == _clean_build(site, tmp_path)


def test_a_text_edit_is_patched_in_then_built_and_tabs_reload_once(
    quiet_preview: Preview, site: Paths, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An edit to an article's text alone is patched into the served site (no build), and
    published; the exact build follows, and as it gives the same stories, tabs reload once."""
    story = quiet_preview.root / story_page(quiet_preview.root, "Miller Street").strip("/") / "index.html"
    builds, _ = _record_builds(monkeypatch, quiet_preview)
    published_pages: list[str] = []  # the story page as each publish found it
    recorded_publish = quiet_preview.state.publish
    monkeypatch.setattr(quiet_preview.state, "publish", lambda problems, **kw: published_pages.append(
        story.read_text(encoding="utf-8")) or recorded_publish(problems, **kw))
    bakery = site.content / "bakery.md"
    bakery.write_text(bakery.read_text().replace("Miller Street", "Baker Lane"), encoding="utf-8")
    quiet_preview.rebuild([bakery])
    settle(quiet_preview)
    assert len(published_pages) == 1 and "Baker Lane" in published_pages[0]  # patched, then published
    assert [provisional for provisional, _ in builds] == [False]  # then the exact build: same stories
    assert snapshot_of(quiet_preview.root) == _clean_build(site, tmp_path)


def test_a_save_during_the_exact_build_is_patched_at_once_and_the_stale_build_never_writes(
    quiet_preview: Preview, site: Paths, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The exact build runs on its own thread. A save made meanwhile does not wait for it: it
    is patched in and published at once, and the exact build, stale now, stops at its next
    stage without writing; a new exact build follows, and the preview ends as a clean build."""
    builds, publishes = _record_builds(monkeypatch, quiet_preview)
    grouped, go_on = threading.Event(), threading.Event()
    recording_build = serve_module.build

    def held_after_grouping(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        progress = kwargs.get("progress")
        if progress is not None and not grouped.is_set():
            def hold(stage: str, count: int) -> None:
                if stage == "rendering pages":
                    grouped.set()
                    assert go_on.wait(WAIT)
                progress(stage, count)
            kwargs["progress"] = hold
        return recording_build(*args, **kwargs)

    monkeypatch.setattr(serve_module, "build", held_after_grouping)
    bakery = site.content / "bakery.md"
    bakery.write_text(bakery.read_text().replace("Town bakery wins", "Town bakery takes"), encoding="utf-8")
    quiet_preview.rebuild([bakery])  # a title edit: a quick build, then the exact build...
    assert grouped.wait(WAIT)  # ...which is now held, its grouping done

    bakery.write_text(bakery.read_text().replace("Miller Street", "Baker Lane"), encoding="utf-8")
    quiet_preview.rebuild([bakery])  # a text edit meanwhile: patched, without waiting
    page = quiet_preview.root / story_page(quiet_preview.root, "Baker Lane").strip("/") / "index.html"
    assert "Town bakery takes" in page.read_text(encoding="utf-8")
    assert publishes == [(), ()] and [provisional for provisional, _ in builds] == [True]

    go_on.set()
    settle(quiet_preview)
    # the held build stopped unwritten; the exact build of the newer save ran and wrote
    assert [provisional for provisional, _ in builds] == [True, False]
    assert snapshot_of(quiet_preview.root) == _clean_build(site, tmp_path)


def test_a_title_edit_is_built_not_patched(quiet_preview: Preview, site: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    builds, publishes = _record_builds(monkeypatch, quiet_preview)
    bakery = site.content / "bakery.md"
    bakery.write_text(bakery.read_text().replace("Town bakery wins", "Town bakery takes"), encoding="utf-8")
    quiet_preview.rebuild([bakery])
    settle(quiet_preview)
    assert [provisional for provisional, _ in builds] == [True, False]  # new words: the exact grouping ran
    assert publishes == [()]  # but gave the same stories: one reload, not two


def test_a_template_edit_shows_on_the_pages_on_screen_first_and_their_tabs_reload_once(
    quiet_preview: Preview, site: Paths, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """After a template edit the page a tab shows is made again at once and published, before
    the build that makes the rest; that build then tells the tab it has nothing new for it,
    while a tab on another page, or one that missed the first reload, reloads."""
    story = story_page(quiet_preview.root, "Miller Street")
    article_page = "/" + next(quiet_preview.root.glob("articles/*/index.html")).relative_to(quiet_preview.root).as_posix()
    served: list[tuple[str, str]] = []  # (story page, article page) as each publish found them
    real_publish = quiet_preview.state.publish
    monkeypatch.setattr(quiet_preview.state, "publish", lambda problems, **kw: served.append(tuple(
        (quiet_preview.root / p.strip("/") / ("index.html" if p.endswith("/") else "")).read_text(encoding="utf-8")
        for p in (story, article_page))) or real_publish(problems, **kw))
    first = version_of(request(quiet_preview.url, story).text)
    with ThreadPoolExecutor(1) as tab:
        poll = tab.submit(request, quiet_preview.url, f"{POLL_PATH}?since={first}&page={story}")
        deadline = time.monotonic() + WAIT
        while quiet_preview.state.on_screen() != [story.strip("/") + "/index.html"]:
            assert time.monotonic() < deadline, "the tab's poll never arrived"
            time.sleep(0.01)
        template = site.templates / "base.html"
        template.write_text((theme_dir() / "base.html").read_text(encoding="utf-8").replace(
            "Skip to content", "Skip to the news"), encoding="utf-8")
        quiet_preview.rebuild([template])
        patched = json.loads(poll.result(WAIT).body)
    settle(quiet_preview)

    assert patched["reload"] is True
    assert len(served) == 2
    assert "Skip to the news" in served[0][0] and "Skip to the news" not in served[0][1]  # on screen first
    assert all("Skip to the news" in page for page in served[1])  # then every page
    assert snapshot_of(quiet_preview.root) == _clean_build(site, tmp_path)

    def reload(since: str, page: str) -> bool:
        return json.loads(request(quiet_preview.url, f"{POLL_PATH}?since={since}&page={page}").body)["reload"]

    assert reload(patched["version"], story) is False  # it shows the last version already
    assert reload(patched["version"], article_page) is True  # it was made again since
    assert reload(first, story) is True  # it missed the first reload

    bakery = site.content / "bakery.md"  # and later saves go as ever: one reload for a text edit
    bakery.write_text(bakery.read_text().replace("Miller Street", "Baker Lane"), encoding="utf-8")
    quiet_preview.rebuild([bakery])
    settle(quiet_preview)
    assert len(served) == 3


def test_a_page_published_ahead_is_served_in_place_of_its_file_until_the_next_publish(preview: Preview) -> None:
    on_disk = request(preview.url, "/").text
    preview.state.publish((), ahead={"index.html": b"<!doctype html><body><p>Made ahead</p></body>"})
    for path in ("/", "/index.html"):
        page = request(preview.url, path).text
        assert "Made ahead" in page and version_of(page) == preview.state.snapshot().version  # live script too
    assert "Miller Street" in request(preview.url, story_page(preview.root, "Miller Street")).text  # others: files
    preview.state.publish()
    after = request(preview.url, "/").text
    assert after.replace(version_of(after), "") == on_disk.replace(version_of(on_disk), "")  # the file again


def test_a_new_article_shows_on_the_pages_on_screen_before_the_build_writes_the_site(
    quiet_preview: Preview, site: Paths, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A save that needs a build (here a new article) is published as soon as the stories are
    known, with the pages on screen as the build will write them; the build's own publish
    then tells those tabs that they have its pages already."""
    publishes: list[tuple[tuple, dict, str]] = []  # (problems, options, the digest's file) at each publish
    real_publish = quiet_preview.state.publish
    monkeypatch.setattr(quiet_preview.state, "publish", lambda problems, **kw: publishes.append(
        (problems, kw, (quiet_preview.root / "index.html").read_text(encoding="utf-8"))) or real_publish(problems, **kw))
    first = quiet_preview.state.snapshot().version
    with ThreadPoolExecutor(1) as tab:
        poll = tab.submit(request, quiet_preview.url, f"{POLL_PATH}?since={first}&page=/")
        deadline = time.monotonic() + WAIT
        while quiet_preview.state.on_screen() != ["index.html"]:
            assert time.monotonic() < deadline, "the tab's poll never arrived"
            time.sleep(0.01)
        new = _harbour_article(site)
        quiet_preview.rebuild([new])
        assert json.loads(poll.result(WAIT).body)["reload"] is True
    settle(quiet_preview)

    (ahead_problems, ahead, on_disk), (problems, built, written) = publishes[:2]
    assert ahead_problems == () and set(ahead["ahead"]) == {"index.html"}
    assert b"Harbour authority" in ahead["ahead"]["index.html"] and "Harbour authority" not in on_disk  # shown first
    assert problems == () and built == {"settled": ["index.html"]} and "Harbour authority" in written
    assert ahead["ahead"]["index.html"] == written.encode("utf-8")  # what the build then wrote
    assert snapshot_of(quiet_preview.root) == _clean_build(site, tmp_path)


def test_pages_shown_ahead_of_a_build_that_then_fails_give_way_to_the_last_good_site(
    quiet_preview: Preview, site: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    publishes = _record_publishes(monkeypatch, quiet_preview)
    request(quiet_preview.url, f"{POLL_PATH}?since=an-old-version&page=/")  # a tab on the digest
    new = _harbour_article(site)
    broken = site.templates / "article.html"  # fails on article pages alone, as they render
    broken.write_text('{% extends "default/article.html" %}\n{% block title %}{{ entry.no_such_field }}{% endblock %}\n',
                      encoding="utf-8")
    quiet_preview.rebuild([new, broken])

    (shown, ahead), (failed, options) = publishes
    assert shown == () and b"Harbour authority" in ahead["ahead"]["index.html"]
    assert failed and "no_such_field" in failed[0].message and not options.get("settled")
    page = request(quiet_preview.url, "/").text
    assert "Harbour authority" not in page and f'id="{OVERLAY_ID}"' in page  # the last good site, and why


def test_when_regrouping_moves_an_article_the_pages_on_screen_show_it_before_the_write(
    quiet_preview: Preview, site: Paths, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A new version of a story first shows as a story of its own (no regrouping), then the
    exact build, as soon as its grouping has put it in its story, publishes the pages on
    screen as it will write them; its own publish then settles them."""
    publishes = _record_publishes(monkeypatch, quiet_preview)
    request(quiet_preview.url, f"{POLL_PATH}?since=an-old-version&page=/")  # a tab on the digest
    new = _second_bakery_report(site)
    quiet_preview.rebuild([new])
    settle(quiet_preview)

    assert [problems for problems, _ in publishes] == [()] * 4
    (_, quick_ahead), (_, quick), (_, exact_ahead), (_, exact) = publishes
    versions = [options["ahead"]["index.html"].count(b"2 versions") for options in (quick_ahead, exact_ahead)]
    assert versions == [0, 1]  # on its own at first; then in its story, with the prize's first report
    assert quick == {"settled": ["index.html"]}
    # and a tab left on the new version's story of its own goes to the story it joined
    assert exact == {"settled": ["index.html"], "moved": {
        "stories/miller-street-bakery-takes-national-sourdough-prize/index.html":
            "stories/town-bakery-wins-national-prize-for-sourdough-loaf/index.html"}}
    assert exact_ahead["ahead"]["index.html"] == (quiet_preview.root / "index.html").read_bytes()
    assert snapshot_of(quiet_preview.root) == _clean_build(site, tmp_path)


def test_pages_shown_ahead_of_a_build_link_style_sheets_that_are_there(site: Paths) -> None:
    """A style sheet saved with an article (a pull, "save all"): the pages on screen are shown
    before the build writes its files, and must not link a style sheet not yet written."""
    from functools import partial

    with Preview(site, port=0, debounce=60, poll_timeout=WAIT) as preview:  # no rebuild but ours
        request(preview.url, f"{POLL_PATH}?since=an-old-version&page=/")  # a tab on the digest
        site.static.mkdir(exist_ok=True)
        (site.static / "style.css").write_text((theme_dir() / "static" / "style.css").read_text() + "\nmain{color:red}\n")
        (site.content / "bakery.md").write_text((site.content / "bakery.md").read_text() + "\nA new line.\n")
        seen: list[tuple[str, bool]] = []

        def look(shown: list[str], state) -> None:  # noqa: ANN001
            preview._show_ahead(shown, state)
            css = state.assets["style.css"]
            seen.append((css, (preview.root / css).is_file()))

        shown: list[str] = []
        preview._build([site.static / "style.css", site.content / "bakery.md"], provisional=True,
                       stories_known=partial(look, shown))
    assert shown == ["index.html"]
    assert seen and seen[0][1], f"{seen[0][0]} linked before it was written"


def test_a_search_tab_reloads_once_the_exact_build_brings_its_index_up_to_date(site: Paths) -> None:
    """A patch leaves the search index as it was; the build that follows replaces it, and the
    files an open search page loads go with the old folder. Its tab must reload then."""
    with Preview(site, port=0, debounce=0.05, poll_timeout=WAIT) as preview:
        request(preview.url, f"{POLL_PATH}?since=an-old-version&page=/search/")  # tabs on two pages
        request(preview.url, f"{POLL_PATH}?since=an-old-version&page=/")
        published: list[Snapshot] = []
        publish = preview.state.publish

        def recording(*args, **kwargs) -> Snapshot:  # noqa: ANN002, ANN003
            published.append(publish(*args, **kwargs))
            return published[-1]

        preview.state.publish = recording
        bakery = site.content / "bakery.md"
        bakery.write_text(bakery.read_text(encoding="utf-8") + "\nThe zanzibarian loaf sold out.\n", encoding="utf-8")
        deadline = time.monotonic() + WAIT
        while len(published) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        settle(preview)
        patched, exact = published[0], published[-1]
        assert exact.needs_reload(patched.version, "search/index.html")
        assert not exact.needs_reload(patched.version, "index.html")  # the patch had it right already
        page = request(preview.url, "/search/").text
        for script in re.findall(r'src="\.\./(static/[^"]+)"', page):
            assert (preview.root / script).is_file(), script


@pytest.mark.parametrize("future", [False, True])
def test_the_preview_shows_future_articles_when_asked_as_build_does(site: Paths, future: bool) -> None:
    (site.content / "tomorrow.md").write_text(article("Festival opens next year", "Stalls go up.", date="2999-05-01",
                                                      source="Valley Courier", url="https://courier.example/fest"),
                                              encoding="utf-8")
    with Preview(site, port=0, poll_timeout=WAIT, future=future) as preview:
        titles = [s["title"] for s in json.loads(request(preview.url, "/digest.json").body)["stories"]]
    assert ("Festival opens next year" in titles) == future


def test_serve_refuses_a_site_folder_that_is_not_there(tmp_path: Path) -> None:
    """A mistyped --site would serve an error page forever: nothing there can ever change."""
    from conftest import run_cli

    result = run_cli("serve", "--site", str(tmp_path / "typo"), "--port", "0")
    assert result.returncode == 1 and "no such site folder" in result.stderr
    assert run_cli("serve", "--site", str(tmp_path), "--output", str(tmp_path / "x")).returncode == 2  # serve writes no output


def test_a_save_that_changes_nothing_reloads_no_tab(quiet_preview: Preview, site: Paths,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor or a sync tool touching a file, a skipped _notes.md made and deleted: the
    site is as it was, and every open tab reloaded all the same."""
    _, publishes = _record_builds(monkeypatch, quiet_preview)
    bakery = site.content / "bakery.md"
    os.utime(bakery, (time.time() + 5, time.time() + 5))
    quiet_preview.rebuild([bakery])
    settle(quiet_preview)
    notes = site.content / "_notes.md"
    notes.write_text("jotted down\n", encoding="utf-8")
    quiet_preview.rebuild([notes])
    notes.unlink()
    quiet_preview.rebuild([notes])
    settle(quiet_preview)
    assert publishes == []
    bakery.write_text(bakery.read_text(encoding="utf-8").replace("Miller Street", "Baker Lane"), encoding="utf-8")
    quiet_preview.rebuild([bakery])  # a real edit still shows
    settle(quiet_preview)
    assert publishes and "Baker Lane" in (quiet_preview.root / "digest.json").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in (quiet_preview.root / "stories").glob("*/index.html"))


def test_the_preview_goes_to_memory_only_with_room_for_the_static_files_too(tmp_path: Path) -> None:
    """A 200 MB video in static/ went to /dev/shm uncounted: on a laptop, half its memory."""
    from digestgen.serve import _has_room

    (tmp_path / "content").mkdir()
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "video.mp4").write_bytes(b"\0" * 1000)
    free = shutil.disk_usage(tmp_path).free
    big = tmp_path / "big"
    big.mkdir()
    with open(big / "huge.bin", "wb") as sparse:  # as large as the disk's free space, written as a hole
        sparse.truncate(free)
    assert _has_room(tmp_path, tmp_path / "content", [tmp_path / "static"]) is (free >= 1 << 30)
    assert _has_room(tmp_path, tmp_path / "content", [big]) is False


@pytest.mark.parametrize(("shown", "page", "now", "expected"), [
    ("/articles/old/", "articles/old/index.html", "articles/new/index.html", "/articles/new/"),
    ("/articles/old/index.html", "articles/old/index.html", "articles/new/index.html", "/articles/new/index.html"),
    ("/news/stories/old/", "stories/old/index.html", "stories/new/index.html", "/news/stories/new/"),  # a subpath kept
    ("/elsewhere", "stories/old/index.html", "stories/new/index.html", "/stories/new/"),
])
def test_a_tab_whose_page_moved_goes_to_the_same_place_at_the_new_address(shown, page, now, expected) -> None:
    assert moved_url(shown, page, now) == expected


def test_moves_are_kept_across_publishes_and_followed_from_move_to_move() -> None:
    state = LiveState()
    seen = state.snapshot().version
    state.publish(moved={"articles/a/index.html": "articles/b/index.html"})
    state.publish()  # a tab that slept through the first publish still learns where its page went
    state.publish(moved={"articles/b/index.html": "articles/c/index.html"})
    assert state.snapshot().moved == {"articles/a/index.html": "articles/c/index.html",
                                      "articles/b/index.html": "articles/c/index.html"}
    assert state.snapshot().needs_reload(seen, "articles/a/index.html")


def test_a_tab_on_an_article_whose_title_changed_is_sent_to_its_new_address(quiet_preview: Preview, site: Paths) -> None:
    """Its address was not in the story lock yet (the preview never writes it): the tab
    reloaded to "Page not found", with no way to the article's new page."""
    seen = quiet_preview.state.snapshot().version
    bakery = site.content / "bakery.md"
    bakery.write_text(bakery.read_text().replace("Town bakery wins", "Town bakery takes"), encoding="utf-8")
    quiet_preview.rebuild([bakery])
    settle(quiet_preview)
    old = "/articles/town-bakery-wins-national-prize-for-sourdough-loaf/"
    reply = json.loads(request(quiet_preview.url, f"{POLL_PATH}?since={seen}&page={quote(old)}").body)
    assert reply["go"] == "/articles/town-bakery-takes-national-prize-for-sourdough-loaf/"
    assert request(quiet_preview.url, reply["go"]).status == 200 and request(quiet_preview.url, old).status == 404
    # the story had only that article's title for a name: its page moved too
    story = "/stories/town-bakery-wins-national-prize-for-sourdough-loaf/"
    reply = json.loads(request(quiet_preview.url, f"{POLL_PATH}?since={seen}&page={quote(story)}").body)
    assert reply["go"] == "/stories/town-bakery-takes-national-prize-for-sourdough-loaf/"


def test_a_tab_on_a_deleted_version_goes_to_its_story_once(quiet_preview: Preview, site: Paths) -> None:
    """It showed the deleted article again, then "Page not found" at each publish that followed."""
    new = _second_bakery_report(site)
    quiet_preview.rebuild([new])
    settle(quiet_preview)
    page = "/articles/miller-street-bakery-takes-national-sourdough-prize/"
    assert request(quiet_preview.url, page).status == 200
    seen = quiet_preview.state.snapshot().version
    new.unlink()
    quiet_preview.rebuild([new])
    settle(quiet_preview)
    reply = json.loads(request(quiet_preview.url, f"{POLL_PATH}?since={seen}&page={quote(page)}").body)
    assert reply["go"] == "/stories/town-bakery-wins-national-prize-for-sourdough-loaf/"
    assert "Town bakery wins" in request(quiet_preview.url, reply["go"]).text
