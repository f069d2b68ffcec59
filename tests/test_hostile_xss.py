"""Untrusted text never executes: every known XSS payload, through every field, into a built site.

Each payload goes into one Markdown article (title, body, source, author, tags, summary,
url, story and an unknown key) and one raw .txt article. The site overrides the article
template to print every unknown front matter key (``entry.extra``), as a theme might.
Every generated HTML page is then parsed and searched for anything that could run.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from digestgen.build import build
from digestgen.config import Paths
from digestgen.content.markdown import parse_markdown, safe_url
from xss_payloads import PAYLOADS

# Elements that run script, load a document, or redirect the page.
DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
    "svg", "math", "form", "style", "link", "noscript", "xmp", "plaintext", "template", "portal",
}
ALLOWED_LINK_RELS = {"stylesheet", "canonical", "alternate", "icon", "search", "preload", "prev", "next", "manifest"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "ping", "cite", "srcdoc"}
_FINGERPRINT = re.compile(r"\.[0-9a-f]{10}\.(js|css)$")  # static/search-index.<hash>.js
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha|jar|file):")


class PageChecker(HTMLParser):
    """Collects anything script-capable. ``theme`` holds the signatures of the elements the
    theme itself writes on a benign site (its search form, its own script files): those,
    and only those, are allowed."""

    def __init__(self, name: str, theme: frozenset = frozenset()):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.theme = theme
        self.found: list[str] = []
        self.text: list[str] = []
        self.signatures: set = set()
        self._in_script = False

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        attrs_d = {k.lower(): (v or "") for k, v in attrs}
        signature = (tag, tuple(sorted((k, _FINGERPRINT.sub(r".\1", re.sub(r"^(\.\./)+", "", v))) for k, v in attrs_d.items())))
        if tag == "link" and attrs_d.get("rel", "").lower() in ALLOWED_LINK_RELS and not _BAD_SCHEME.match(_squeeze(attrs_d.get("href", ""))):
            pass  # the theme's own stylesheet, canonical and feed links
        elif tag in DANGEROUS_TAGS:
            self.signatures.add(signature)
            if signature not in self.theme:
                self.found.append(f"<{tag}> element {attrs_d}")
        if tag == "script":
            self._in_script = True
        if tag == "meta" and attrs_d.get("http-equiv", "").lower() in ("refresh", "set-cookie", "content-security-policy"):
            self.found.append(f"<meta http-equiv={attrs_d['http-equiv']}>")
        for key, value in attrs_d.items():
            if key.startswith("on"):
                self.found.append(f"{key}= attribute on <{tag}>")
            if key in URL_ATTRS and _BAD_SCHEME.match(_squeeze(value)):
                self.found.append(f"{key}={value[:40]!r} on <{tag}>")
            if key == "style" and re.search(r"expression|javascript|url\(", value, re.I):
                self.found.append(f"style={value[:40]!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):  # noqa: ANN001
        if self._in_script and data.strip():
            self.found.append(f"inline script {data[:60]!r}")
        self.text.append(data)


def _squeeze(url: str) -> str:
    return _IGNORED.sub("", url).lower()


def check_page(path: Path, name: str, theme: frozenset = frozenset()) -> tuple[list[str], str]:
    checker = PageChecker(name, theme)
    checker.feed(path.read_text(encoding="utf-8"))
    checker.close()
    return checker.found, "".join(checker.text)


def _yaml(value: str) -> str:
    return json.dumps(value)  # an ASCII JSON string is a YAML double-quoted scalar


def hostile_site(root: Path) -> Path:
    content = root / "content"
    content.mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "templates" / "article.html").write_text(
        '{% extends "default/article.html" %}\n'
        "{% block head %}{% for key, value in entry.extra.items() %}"
        '<meta name="x-{{ key }}" content="{{ value }}"><span title="{{ value }}">{{ value }}</span>'
        "{% endfor %}{% endblock %}\n",
        encoding="utf-8",
    )
    for i, payload in enumerate(PAYLOADS):
        y = _yaml(payload)
        (content / f"md-{i:03}.md").write_text(
            "---\n"
            f"title: {_yaml(f'XSSMARK{i:03} ' + payload)}\n"
            f"source: {y}\n"
            f"author: {y}\n"
            f"tags: [{y}, {_yaml('tag ' + payload)}]\n"
            f"summary: {y}\n"
            f"url: {y}\n"
            f"story: {y}\n"
            f"{_yaml('x-' + payload)}: {y}\n"
            f"extra_{i}: {y}\n"
            f"nested_{i}: {{inner: {y}, list: [{y}]}}\n"
            "---\n\n"
            f"# {payload}\n\n{payload}\n\n"
            f"[link]({payload}) ![image]({payload}) <{payload}>\n\n"
            f"    {payload}\n\n"
            f"> {payload}\n\n"
            f"| {payload} |\n|---|\n| {payload} |\n\n"
            f"Words about the {i} item.\n",
            encoding="utf-8",
        )
        (content / f"txt-{i:03}.txt").write_text(
            f"XSSTXT{i:03} {payload}\n\n{payload}\n\nA sentence of the story, number {i}.\n{payload}\n",
            encoding="utf-8",
        )
    return root


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    root = hostile_site(tmp_path_factory.mktemp("xss"))
    result = build(Paths.for_site(root))
    return root, result


@pytest.fixture(scope="module")
def theme_elements(tmp_path_factory) -> frozenset:
    """Script-capable elements the theme writes by itself, on a site with nothing hostile."""
    root = tmp_path_factory.mktemp("benign")
    (root / "content").mkdir()
    for i in range(3):
        (root / "content" / f"a{i}.md").write_text(
            f"---\ntitle: Plain story {i}\nsource: Outlet\nurl: https://example.com/{i}\ntags: [news]\n---\n\nPlain words {i}.\n",
            encoding="utf-8",
        )
    build(Paths.for_site(root))
    signatures: set = set()
    for page in (root / "output").rglob("*.html"):
        checker = PageChecker(page.name)
        checker.feed(page.read_text(encoding="utf-8"))
        signatures |= checker.signatures
    assert all(tag != "script" or dict(attrs).get("src") for tag, attrs in signatures), "inline theme script"
    return frozenset(signatures)


def test_corpus_is_big_enough():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_no_page_holds_live_markup(built_site, theme_elements):
    root, result = built_site
    pages = sorted((root / "output").rglob("*.html"))
    assert len(pages) > 2 * len(PAYLOADS)  # every article page, plus stories and indexes
    failures = {}
    all_text = []
    for page in pages:
        found, text = check_page(page, page.name, theme_elements)
        if found:
            failures[str(page.relative_to(root))] = found
        all_text.append(text)
    assert not failures, failures
    text = "\n".join(all_text)
    # The payloads did reach the pages, as visible text, not dropped.
    for i in range(len(PAYLOADS)):
        assert f"XSSMARK{i:03}" in text
        assert f"XSSTXT{i:03}" in text
    assert "<script>alert(1)</script>" in text  # shown to the reader, as text


def test_digest_json_and_feeds_stay_well_formed(built_site):
    root, result = built_site
    for path in (root / "output").rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    for path in (root / "output").rglob("*.xml"):
        ElementTree.parse(path)
    for path in (root / "output" / "static").glob("search-index.*.js"):
        text = path.read_text(encoding="utf-8")
        prefix, _, data = text.partition("=")
        assert prefix == "window.DIGESTGEN_SEARCH"
        json.loads(data.strip().removesuffix(";"))  # pure data: a JSON literal, nothing to run
    digest = json.loads((root / "output" / "digest.json").read_text(encoding="utf-8"))
    originals = [e["original_url"] for s in digest["stories"] for e in s["entries"] if e.get("original_url")]
    assert originals and all(u.startswith(("http://", "https://")) for u in originals)


def test_unsafe_urls_are_warned_about_not_linked(built_site):
    root, result = built_site
    warned = {Path(w.path).name for w in result.warnings if "url ignored" in w.message}
    bad = [i for i, p in enumerate(PAYLOADS) if not p.startswith(("http://", "https://"))]
    assert {f"md-{i:03}.md" for i in bad} <= warned


def test_extra_keys_reach_the_template_escaped(built_site):
    root, _ = built_site
    pages = sorted((root / "output" / "articles").glob("xssmark*/index.html"))
    assert len(pages) == len(PAYLOADS)
    for page in pages:
        assert 'name="x-extra_' in page.read_text(encoding="utf-8")  # the override printed entry.extra


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_body_alone_is_inert(payload):
    html = parse_markdown(f"{payload}\n\n[a]({payload})\n\n![b]({payload})\n").body_html
    checker = PageChecker("body")
    checker.feed(html)
    assert not checker.found, (payload, html)


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.com/a", True), ("http://x", True), ("/local/page", True), ("../up", True),
        ("#frag", True), ("?q=1", True), ("mailto:a@b.c", True), ("page.html", True),
        ("javascript:alert(1)", False), ("JAVASCRIPT:x", False), (" javascript:x", False),
        ("java\tscript:x", False), ("java\nscript:x", False), ("\x01javascript:x", False),
        ("data:text/html,x", False), ("data:image/png;base64,AAAA", False), ("vbscript:x", False),
        ("file:///etc/passwd", False), ("jav\u00a0ascript:x", False),
    ],
)
def test_safe_url(url, ok):
    assert safe_url(url) is ok


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=' JaVa&#x09;script:x'>a</a>",
        "<iframe src=x></iframe>", "<svg onload=alert(1)>", "<meta http-equiv=refresh content='0;url=x'>",
        "<base href=x>", "<div style='width:expression(alert(1))'>", "<form action='javascript:x'>",
        "<a xlink:href='data:text/html,x'>", "<button formaction='vbscript:x'>",
    ],
)
def test_the_checker_itself_catches_live_markup(markup):
    checker = PageChecker("self-test")
    checker.feed(markup)
    assert checker.found


def test_a_theme_links_an_address_from_an_article_only_when_it_is_safe(tmp_path):
    """A theme linking a front-matter key (``link: javascript:…``) with safe_url gets nothing for
    a script and the address for a web link; autoescaping alone keeps neither from running."""
    from conftest import article, build_site, write_site

    write_site(tmp_path, {
        "content/a.md": article("Harbour dredging begins", "Text.", date="2021-05-01", source="X", link=" JaVa\tscript:alert(1)"),
        "content/b.md": article("Bakery wins prize", "Text.", date="2021-05-02", source="Y", link="https://example.org/a?b=1&c=2"),
        "templates/article.html": '{% extends "default/article.html" %}{% block main %}'
                                  '<a class="more" href="{{ entry.extra.get(\'link\')|safe_url }}">more</a>{{ super() }}{% endblock %}',
    })
    build_site(tmp_path)
    out = tmp_path / "output" / "articles"
    assert '<a class="more" href="">more</a>' in (out / "harbour-dredging-begins" / "index.html").read_text(encoding="utf-8")
    assert '<a class="more" href="https://example.org/a?b=1&amp;c=2">more</a>' in (out / "bakery-wins-prize" / "index.html").read_text(encoding="utf-8")
