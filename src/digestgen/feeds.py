"""Feeds: ``feed.xml`` (Atom 1.0, RFC 4287), ``feed.json`` (JSON Feed 1.1), and one Atom feed per story.

Entry and feed IDs are permanent addresses: the page's (or feed's) own URL under ``base_url``,
as Hugo and most blogs make them. Slugs are kept by the story lock, so an ID stays put when a
story gains sources, an earlier version arrives or a date is corrected, while ``updated`` moves;
and two digests on one host never share one. Without a ``base_url`` the IDs are ``tag:`` URIs
(RFC 4151) in ``digestgen.invalid``, which no one can own, and every link is relative to the
feed's own location.
Nothing here reads the clock: identical input gives identical bytes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from html import escape

from .config import Config
from .content.dates import in_zone, iso_text
from .i18n import site_messages
from .models import Digest, Entry, Story
from .output import OutputFile
from .pages import FEED_ATOM, FEED_JSON, article_path, digest_page_path, site_url, story_feed_path, story_path, tag_key

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
FALLBACK_AUTHORITY = "digestgen.invalid"  # RFC 2606: can never belong to anyone
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
GENERATOR = "digestgen"


def permanent_id(config: Config, path: str) -> str:
    """The ID of what lives at output ``path``: its address under base_url, else a tag: URI."""
    if config.base_url:
        return site_url(config, path, path)
    return f"tag:{FALLBACK_AUTHORITY},1970:{path.removesuffix('index.html')}"


def story_id(story: Story, config: Config) -> str:
    return permanent_id(config, story_path(story))


def entry_id(entry: Entry, config: Config) -> str:
    return permanent_id(config, article_path(entry))


def rfc3339(value: datetime | None, config: Config) -> str:
    """Always with an offset: ``2018-07-12T17:47:00-04:00``."""
    return iso_text(in_zone(value or EPOCH, config.tzinfo))


def _author(config: Config) -> str:
    return config.author or config.title


def newest_stories(digest: Digest, config: Config) -> tuple[Story, ...]:
    """The stories the site's feeds hold."""
    return digest.stories[: max(1, config.feed_size)]


# -- Atom ----------------------------------------------------------------------------------------


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _atom_root(config: Config, feed_id: str, title: str, updated: datetime | None, feed_path: str,
               alternate: str, subtitle: str = "") -> ET.Element:
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": config.language})
    _el(root, "id", feed_id)
    _el(root, "title", title)
    if subtitle:
        _el(root, "subtitle", subtitle)
    _el(root, "updated", rfc3339(updated, config))
    _el(_el(root, "author"), "name", _author(config))
    _el(root, "link", rel="self", type="application/atom+xml", href=site_url(config, feed_path, feed_path))
    _el(root, "link", rel="alternate", type="text/html", href=site_url(config, alternate, feed_path))
    _el(root, "generator", GENERATOR)
    return root


def _atom_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    try:
        data = text.encode("utf-8")
        clean = not _has_non_xml(data)
    except UnicodeEncodeError:  # a lone surrogate
        clean = False
    if not clean:
        data = _xml_chars(text).encode("utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + data + b"\n"


# Characters XML 1.0 forbids anywhere in a document. HTML takes them (a form feed is
# whitespace there, and "&#12;" in an article reads as one), ElementTree writes them as they
# are, and one of them makes a feed reader refuse the whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_C0_NOT_XML = bytes(b for b in range(0x20) if b not in b"\t\n\r")  # the same controls, as UTF-8 bytes


def _has_non_xml(data: bytes) -> bool:
    """Does UTF-8 ``data`` hold a character _NOT_XML names? Scanned in C, ten times faster
    than the regular expression, which then runs only on the rare feed that needs it."""
    return (len(data.translate(None, _C0_NOT_XML)) != len(data)
            or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data)


def _xml_chars(text: str) -> str:
    """``text`` with what XML cannot hold replaced: controls by a space, the rest by U+FFFD."""
    return _NOT_XML.sub(lambda m: " " if m.group() < " " else "\ufffd", text)


def _story_html(story: Story, config: Config, from_path: str) -> str:
    parts = [f"<p>{escape(story.blurb)}</p>"] if story.blurb else []
    count = len(story.entries)
    parts.append(f"<p>{site_messages(config).ngettext('%(num)s version of this story:', '%(num)s versions of this story:', count)}</p><ul>")
    for entry in story.entries:
        link = escape(site_url(config, article_path(entry), from_path))
        parts.append(f'<li>{escape(entry.source)}: <a href="{link}">{escape(entry.title)}</a></li>')
    parts.append("</ul>")
    return "".join(parts)


def _story_entry(feed: ET.Element, story: Story, config: Config, feed_path: str, undated: datetime | None) -> None:
    entry = _el(feed, "entry")
    _el(entry, "id", story_id(story, config))
    _in_language(_el(entry, "title", story.title), story.title_language)
    _el(entry, "updated", rfc3339(story.sort_date or undated, config))
    if story.date:
        _el(entry, "published", rfc3339(story.date, config))
    for name in story.sources:
        _el(_el(entry, "contributor"), "name", name)
    _el(entry, "link", rel="alternate", type="text/html", href=site_url(config, story_path(story), feed_path))
    _el(entry, "link", rel="related", type="application/atom+xml", href=site_url(config, story_feed_path(story), feed_path))
    for tag in _story_tags(story):
        _el(entry, "category", term=tag)
    if story.blurb:
        _in_language(_el(entry, "summary", story.blurb), story.blurb_language)
    _el(entry, "content", _story_html(story, config, feed_path), type="html")


def _story_tags(story: Story) -> list[str]:
    """Its versions' tags, each once: "Politics" and "politics" are one tag, as on the site."""
    seen: dict[str, str] = {}
    for entry in story.entries:
        for tag in entry.tags:
            seen.setdefault(tag_key(tag), tag)
    return list(seen.values())


def atom_feed(digest: Digest, config: Config) -> OutputFile:
    stories = newest_stories(digest, config)
    updated = max((s.sort_date for s in stories if s.sort_date), default=None)
    root = _atom_root(config, permanent_id(config, FEED_ATOM), digest.title, updated, FEED_ATOM,
                      digest_page_path(1), digest.description)
    for story in stories:
        # Atom requires a time on every entry: an undated story is as new as the feed it is
        # in (not from 1970, which sorted it last in readers, nor the build's clock)
        _story_entry(root, story, config, FEED_ATOM, updated)
    return OutputFile(FEED_ATOM, _atom_bytes(root), "the Atom feed")


def story_feed(story: Story, config: Config) -> OutputFile:
    """One story's versions, newest first, so a reader can follow it as it develops: the
    newest feed_size of them, as the site's feed holds its newest stories (a story of 1,000
    versions made a 2.9 MB feed, more than feed readers take)."""
    path = story_feed_path(story)
    root = _atom_root(config, permanent_id(config, path), f"{story.title} · {config.title}",
                      story.sort_date, path, story_path(story))
    for item in sorted(story.entries, key=Entry.newest_first)[: max(1, config.feed_size)]:
        entry = _in_language(_el(root, "entry"), item.language)
        _el(entry, "id", entry_id(item, config))
        _el(entry, "title", item.title)
        _el(entry, "updated", rfc3339(item.sort_date or story.sort_date, config))  # see atom_feed
        if item.date:
            _el(entry, "published", rfc3339(item.date, config))
        _el(_el(entry, "author"), "name", item.author or item.source)
        _el(entry, "link", rel="alternate", type="text/html", href=site_url(config, article_path(item), path))
        if item.url:
            _el(entry, "link", rel="via", type="text/html", href=item.url)
        for tag in item.tags:
            _el(entry, "category", term=tag)
        _el(entry, "source").append(_source_title(item))
        # The text's links are relative to the article's page (content.links): resolved from there.
        _el(entry, "content", item.body_html, type="html").set("xml:base", site_url(config, article_path(item), path))
    return OutputFile(path, _atom_bytes(root), f"the feed of story {story.slug!r}")


def _in_language(element: ET.Element, language: str | None) -> ET.Element:
    """``element`` marked as written in ``language`` (xml:lang), when an article says so."""
    if language:
        element.set("xml:lang", language)
    return element


def _source_title(entry: Entry) -> ET.Element:
    title = ET.Element("title")
    title.text = entry.source
    return title


# -- JSON Feed -----------------------------------------------------------------------------------


def json_feed(digest: Digest, config: Config) -> OutputFile:
    items = []
    for story in newest_stories(digest, config):
        item: dict = {
            "id": story_id(story, config),
            "url": site_url(config, story_path(story), FEED_JSON),
            "title": story.title,
            "content_html": _story_html(story, config, FEED_JSON),
        }
        if story.blurb:
            item["summary"] = story.blurb
        if story.date:
            item["date_published"] = rfc3339(story.date, config)
        if story.updated:
            item["date_modified"] = rfc3339(story.updated, config)
        item["authors"] = [{"name": name} for name in story.sources]
        tags = _story_tags(story)
        if tags:
            item["tags"] = tags
        if story.title_language:  # its headline's language, as the Atom entry's xml:lang says
            item["language"] = story.title_language
        items.append(item)
    data: dict = {
        "version": JSON_FEED_VERSION,
        "title": digest.title,
        "home_page_url": site_url(config, digest_page_path(1), FEED_JSON),
        "feed_url": site_url(config, FEED_JSON, FEED_JSON),
    }
    if digest.description:
        data["description"] = digest.description
    data["language"] = config.language
    data["authors"] = [{"name": _author(config)}]
    data["items"] = items
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return OutputFile(FEED_JSON, text.encode("utf-8"), "the JSON feed")
