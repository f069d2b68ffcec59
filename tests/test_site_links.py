"""No broken links: every internal href/src in the built site resolves to a file, opened from
disk and served over HTTP under a subpath (/news/); every page is reachable from the index."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import REPO
from publisher_site import NOW, build_publisher_site

from digestgen.build import build
from digestgen.config import Paths

LINK_ATTRS = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("form", "action"),
              ("source", "src"), ("iframe", "src")}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if (tag, name) in LINK_ATTRS and value is not None:
                self.links.append(value)


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def is_external(link: str) -> bool:
    parts = urlsplit(link)
    return bool(parts.scheme or parts.netloc) or link.startswith(("mailto:", "tel:", "data:", "javascript:"))


def check_on_disk(site: Path, skip: set[str] = frozenset()) -> set[str]:
    """Every internal link of every HTML page points at a file; returns the pages reachable from index.html."""
    broken = []
    pages = {p.relative_to(site).as_posix(): parse(p.read_text(encoding="utf-8")) for p in site.rglob("*.html")}
    for name, page in pages.items():
        if name in skip:
            continue
        for link in page.links:
            if is_external(link):
                continue
            parts = urlsplit(link)
            if link.startswith("/"):
                broken.append(f"{name}: {link} is absolute; the site would not work under a subpath or from disk")
                continue
            if not parts.path:  # "#main": an anchor on this page
                if parts.fragment and parts.fragment not in page.ids:
                    broken.append(f"{name}: no id for {link}")
                continue
            target = (site / name).parent / unquote(parts.path)
            if not target.resolve().is_file():
                broken.append(f"{name}: {link} -> missing {target.resolve().relative_to(site.resolve()) if target.resolve().is_relative_to(site.resolve()) else target}")
                continue
            rel = target.resolve().relative_to(site.resolve()).as_posix()
            if parts.fragment and rel in pages and parts.fragment not in pages[rel].ids:
                broken.append(f"{name}: no id for {link}")
    assert not broken, "broken links:\n" + "\n".join(broken[:30])

    seen, todo = set(), ["index.html"]
    while todo:
        name = todo.pop()
        if name in seen or name not in pages:
            continue
        seen.add(name)
        for link in pages[name].links:
            if not is_external(link) and urlsplit(link).path:
                target = ((site / name).parent / unquote(urlsplit(link).path)).resolve()
                if target.is_relative_to(site.resolve()):
                    todo.append(target.relative_to(site.resolve()).as_posix())
    return seen


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
        pass


@pytest.fixture
def served(tmp_path: Path):  # noqa: ANN201
    """Serve tmp_path/www over HTTP on 127.0.0.1 (a free port); the test mounts a site at www/news/."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield www, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, b"", ""


def crawl(origin: str, start: str) -> tuple[set[str], list[str]]:
    """Follow every same-origin link from ``start``; returns the paths fetched and the broken links."""
    seen: set[str] = set()
    checked: dict[str, int] = {}
    broken: list[str] = []
    todo = [(start, "(start)")]
    while todo:
        url, referrer = todo.pop()
        path = urlsplit(url).path
        if path in seen:
            continue
        status = checked.get(path)
        if status is None:
            status, body, kind = fetch(origin + path)
            checked[path] = status
        else:
            body, kind = b"", ""
        if status != 200:
            broken.append(f"{referrer} -> {path} ({status})")
            continue
        if kind != "text/html":
            continue
        seen.add(path)
        for link in parse(body.decode("utf-8")).links:
            absolute = urljoin(origin + path, link)
            if urlsplit(absolute).netloc != urlsplit(origin).netloc:
                continue
            target = urlsplit(absolute).path
            if target not in seen:
                todo.append((origin + target, path))
    return seen, broken


def test_every_link_resolves_on_disk_and_every_page_is_reachable(tmp_path: Path):
    build_publisher_site(tmp_path)
    site = tmp_path / "output"
    reached = check_on_disk(site, skip={"404.html"})
    every_page = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert every_page - reached == {"404.html"}
    # the navigation this site needs exists: pages, sources, archives, tags
    for page in ("page/2/index.html", "sources/index.html", "sources/county-gazette/index.html",
                 "archive/index.html", "archive/2021/03/index.html", "tags/index.html", "tags/politics/index.html",
                 "search/index.html"):
        assert page in every_page, page
    assert "page/3/index.html" not in every_page  # four stories, two to a page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="page/2/index.html"' in index and 'rel="next"' in index
    source = (site / "sources/county-gazette/index.html").read_text(encoding="utf-8")
    assert "Council election turnout" in source and "Town bakery" in source


def test_every_page_has_canonical_social_meta_and_a_search_box(tmp_path: Path):
    build_publisher_site(tmp_path)
    site = tmp_path / "output"
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        name = page.relative_to(site).as_posix()
        assert 'role="search"' in html, name
        assert '<link rel="icon" type="image/svg+xml" href="' in html, name  # or browsers ask for /favicon.ico
        assert 'property="og:title"' in html and 'name="twitter:card"' in html, name
        assert 'type="application/atom+xml"' in html and 'type="application/feed+json"' in html, name
        if name not in ("404.html", "search/index.html"):
            expected = "https://news.example.org/news/" + name.removesuffix("index.html")
            assert f'<link rel="canonical" href="{expected}">' in html, name
            assert f'<meta property="og:url" content="{expected}">' in html, name
        # search results are kept out of search engines, and only they are
        assert ('<meta name="robots" content="noindex">' in html) == (name == "search/index.html"), name


def test_served_under_a_subpath_every_link_works(tmp_path: Path, served):
    www, origin = served
    build_publisher_site(tmp_path / "site")
    shutil.copytree(tmp_path / "site" / "output", www / "news")
    seen, broken = crawl(origin, "/news/index.html")
    assert not broken, "broken links:\n" + "\n".join(broken[:30])
    assert all(p.startswith("/news/") for p in seen)
    pages = {"/news/" + p.relative_to(www / "news").as_posix() for p in (www / "news").rglob("*.html")}
    assert pages - seen == {"/news/404.html"}
    # the 404 page is shown at any depth, so its links start from base_url's path
    seen_404, broken_404 = crawl(origin, "/news/404.html")
    assert not broken_404, broken_404
    assert "/news/index.html" in seen_404 and "/news/search/index.html" in seen_404


def test_the_seed_site_served_under_news_works_with_every_link(tmp_path: Path, served):
    www, origin = served
    site = tmp_path / "seed"
    shutil.copytree(REPO / "content", site / "content")
    result = build(Paths.for_site(site))
    assert result.digest.stories
    check_on_disk(site / "output", skip={"404.html"})
    shutil.copytree(site / "output", www / "news")
    seen, broken = crawl(origin, "/news/index.html")
    assert not broken, "broken links:\n" + "\n".join(broken[:30])
    for story in result.digest.stories:
        assert f"/news/stories/{story.slug}/index.html" in seen
        for entry in story.entries:
            assert f"/news/articles/{entry.slug}/index.html" in seen


def test_the_link_checker_catches_a_broken_link(tmp_path: Path, served):
    build_publisher_site(tmp_path)
    site = tmp_path / "output"
    victim = next(site.glob("articles/*/index.html"))
    victim.unlink()
    with pytest.raises(AssertionError, match="missing"):
        check_on_disk(site, skip={"404.html"})
    www, origin = served
    shutil.copytree(site, www / "news")
    _, broken = crawl(origin, "/news/index.html")
    assert any("(404)" in b for b in broken)


def test_long_listings_come_in_pages_each_linking_its_neighbours(tmp_path: Path, monkeypatch):
    """An outlet's and a tag's articles are paginated like the digest; a pager links the
    first and last pages and the ones near, not every page, and every page is reachable."""
    from conftest import article, write_site

    import digestgen.pages

    monkeypatch.setattr(digestgen.pages, "ARTICLES_PER_PAGE", 2)
    write_site(tmp_path, {"digestgen.toml": 'title = "Paged"\npage_size = 1\n', **{
        f"content/a{n:02d}.md": article(f"Harbour notice {n}: {subject}", f"{subject}. Notice {n} of the port.",
                                        date=f"2021-03-{n + 1:02d}", source="Port Gazette", tags=["harbour"])
        for n, subject in enumerate([
            "Ferry timetable changes for winter", "Crane operators vote to strike", "Lighthouse keeper retires after forty years",
            "Fish market reopens after flood repairs", "Cruise ship brings record visitors", "Customs seize counterfeit watches",
            "Tugboat race raises money for charity", "New pilot boat named after local hero", "Seal pup rescued from slipway",
            "Container terminal buys electric trucks", "Yacht club elects first woman commodore", "Oyster beds closed after algae bloom",
        ])
    }})
    build(Paths.for_site(tmp_path), now=NOW)
    site = tmp_path / "output"
    every_page = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert every_page - check_on_disk(site, skip={"404.html"}) == {"404.html"}
    outlet = [p for p in every_page if p.startswith("sources/port-gazette/")]
    assert sorted(outlet) == ["sources/port-gazette/index.html"] + [f"sources/port-gazette/page/{n}/index.html" for n in range(2, 7)]
    assert {f"tags/harbour/page/{n}/index.html" for n in range(2, 7)} <= every_page
    first = (site / "sources/port-gazette/index.html").read_text(encoding="utf-8")
    assert first.count('class="article-item"') == 2 and "12 articles" in first and 'rel="next"' in first
    assert "Harbour notice 11" in first  # newest first
    # The digest has twelve pages of one story: page 1 links 2-4 and 12, with a gap, not 5-11.
    pager = (site / "index.html").read_text(encoding="utf-8").split('class="pager"')[1]
    assert all(f'href="page/{n}/index.html"' in pager for n in (2, 3, 4, 12))
    assert not any(f'href="page/{n}/index.html"' in pager for n in range(5, 12)) and "…" in pager
    # A gap of one page shows that page: "1 … 3" hid it behind a mark as wide as its number.
    pager = (site / "page" / "6" / "index.html").read_text(encoding="utf-8").split('class="pager"')[1]
    assert all(f'href="../../page/{n}/index.html"' in pager for n in (2, 3, 4, 5, 7, 8, 9)) and 'href="../../index.html"' in pager
    assert pager.count("…") == 1 and 'href="../../page/10/index.html"' not in pager and 'page/12/index.html"' in pager
