"""The site's pages: which files the digest becomes, and what each template is given.

Every page links to every other with a path relative to itself (``../../stories/x/index.html``),
so one build works at a domain root, under any subpath, and opened from disk. The feeds, the
sitemap and the search index follow the same plan; ``site`` makes them all.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Container, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from .config import Config
from .models import Digest, Entry, Story
from .slugs import unique_slugs

@dataclass(frozen=True)
class Page:
    path: str  # POSIX, relative to the output root
    template: str
    context: Mapping[str, Any]
    origin: str  # what the page is made from, for error messages
    lastmod: datetime | None = None  # for the sitemap
    in_sitemap: bool = True
    feed: str | None = None  # this page's own Atom feed, announced in its <head>
    # Context keys that follow from the rest of the context, so its fingerprint need not
    # walk them: a story's or an article's "meta" (its dates and author, and walking dates
    # is the dearest part of a fingerprint); an article's "others", its story's entries but
    # itself (walking them on every article page grew with the square of story size).
    derived: tuple[str, ...] = ()


# An article page lists this many of its story's other versions, and links the story page
# for the rest: listing them all, a story of n versions wrote n x n lines (564 MB of article
# pages for 1,600 versions of one story).
OTHERS_SHOWN = 12


# -- where things live ---------------------------------------------------------------------------


def story_path(story: Story) -> str:
    return f"stories/{story.slug}/index.html"


def story_feed_path(story: Story) -> str:
    return f"stories/{story.slug}/feed.xml"


def article_path(entry: Entry) -> str:
    return f"articles/{entry.slug}/index.html"


def listing_page_path(first: str, number: int) -> str:
    """Page ``number`` of a paginated listing whose first page is ``first`` (``…/index.html``)."""
    return first if number <= 1 else f"{first.removesuffix('index.html')}page/{number}/index.html"


def digest_page_path(number: int) -> str:
    return listing_page_path("index.html", number)


def outlet_path(outlet: Outlet | OutletRef) -> str:
    return f"sources/{outlet.slug}/index.html"


def tag_path(tag: Tag | TagRef) -> str:
    return f"tags/{tag.slug}/index.html"


def month_path(month: Month | MonthRef) -> str:
    return f"archive/{month.year:04d}/{month.month:02d}/index.html"


def year_path(year: int) -> str:
    return f"archive/{year:04d}/index.html"


def related_path(topic: str) -> str:
    return f"related/{topic}/index.html"


ARTICLES_PER_PAGE = 100  # on an outlet's or a tag's pages
STORIES_PER_MONTH_PAGE = 100  # on a month's archive pages: a year of a busy digest is thousands a month
# A story page lists its newest RELATED_SHOWN related stories; a topic with more has pages of
# its own listing them all.  Listing all on every page would grow with the square of a topic
# (a year of one war is hundreds of stories, each page listing every other).
RELATED_SHOWN = 10
SOURCES_INDEX = "sources/index.html"
TAGS_INDEX = "tags/index.html"
ARCHIVE_INDEX = "archive/index.html"
SEARCH_PAGE = "search/index.html"
FEED_ATOM = "feed.xml"
FEED_JSON = "feed.json"
DIGEST_JSON = "digest.json"


# -- the digest seen from other angles -----------------------------------------------------------


@dataclass(frozen=True)
class Outlet:
    name: str
    slug: str
    entries: tuple[Entry, ...]  # newest first
    stories: tuple[Story, ...]  # newest first


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    entries: tuple[Entry, ...]  # newest first


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    stories: tuple[Story, ...]  # newest first


# What a page that links an outlet, a tag or a month gets of it: a name to show and link, not
# its member lists, so an edit elsewhere in an outlet re-renders none of the pages that link
# it; and a theme that asks one for its members (outlet.entries) is told, at its line, that
# they are not there, rather than shown an empty list.
@dataclass(frozen=True)
class OutletRef:
    name: str
    slug: str


@dataclass(frozen=True)
class TagRef:
    name: str
    slug: str


@dataclass(frozen=True)
class MonthRef:
    year: int
    month: int


@dataclass(frozen=True)
class Sections:
    outlets: tuple[Outlet, ...]
    tags: tuple[Tag, ...]
    months: tuple[Month, ...]  # newest first
    story_of: Mapping[str, Story] = field(default_factory=dict)  # entry slug -> story


def tag_key(tag: str) -> str:
    """What makes two tags one: "Politics" and " politics" are one, "C" and "C++" two; so are
    "Café" typed on a Mac (e and a combining accent) and elsewhere, and "Poli\u200btics"."""
    return unicodedata.normalize("NFC", " ".join(tag.translate(_INVISIBLE).split())).casefold()


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))  # zero-width space, word joiner, BOM, soft hyphen


def sections(digest: Digest, config: Config) -> Sections:
    story_of = {e.slug: s for s in digest.stories for e in s.entries}
    entries = sorted(digest.entries, key=Entry.newest_first)

    by_outlet: dict[str, list[Entry]] = {}
    for entry in entries:
        by_outlet.setdefault(entry.source, []).append(entry)
    stories_of: dict[str, list[Story]] = {}
    for story in digest.stories:  # one pass, not one per outlet: a site can have thousands of outlets
        for name in story.sources:
            stories_of.setdefault(name, []).append(story)
    outlets = []
    names = sorted(by_outlet, key=str.casefold)
    for name, slug in zip(names, unique_slugs(names, fallback="source")):
        outlets.append(Outlet(name, slug, tuple(by_outlet[name]), tuple(stories_of.get(name, ()))))

    # "Politics" and "politics" are one tag; "C", "C++" and "C#" are three (c, c-2, c-3), as
    # outlets whose names make one slug are kept apart.
    by_tag: dict[str, tuple[str, list[Entry]]] = {}
    for entry in entries:
        for tag in entry.tags:
            name, tagged = by_tag.setdefault(tag_key(tag), (tag, []))
            if not tagged or tagged[-1] is not entry:  # a tag given twice in one entry
                tagged.append(entry)
    keys = sorted(by_tag)
    tags = tuple(sorted(
        (Tag(by_tag[key][0], slug, tuple(by_tag[key][1])) for key, slug in
         zip(keys, unique_slugs((by_tag[key][0] for key in keys), fallback="tag"))),
        key=lambda tag: tag.slug,
    ))

    by_month: dict[tuple[int, int], list[Story]] = {}
    for story in digest.stories:
        if story.date:
            local = story.date.astimezone(config.tzinfo)
            by_month.setdefault((local.year, local.month), []).append(story)
    months = tuple(Month(y, m, tuple(by_month[(y, m)])) for y, m in sorted(by_month, reverse=True))
    return Sections(tuple(outlets), tags, months, story_of)


# -- the plan ------------------------------------------------------------------------------------


def plan_pages(digest: Digest, config: Config, site: Sections | None = None,
               only: Container[str] | None = None) -> list[Page]:
    """Every page but the search page, which names the search index (search_page()); or,
    given ``only``, the pages at those paths."""
    site = site or sections(digest, config)
    stories_by_slug = {s.slug: s for s in digest.stories}
    pages: list[Page] = []

    for path, chunk, pagination in _paginated(digest.stories, config.page_size, digest_page_path(1)):
        number = pagination["number"]
        pages.append(Page(
            path, "index.html",
            {"stories": chunk, "pagination": pagination, "meta": {"type": "website"}},
            "the digest index" if number == 1 else f"digest page {number}",
            lastmod=_newest(s.sort_date for s in chunk),
        ))

    # Story and article pages link to their outlet, month and tags: they get references (OutletRef …).
    month_of = {s.slug: MonthRef(m.year, m.month) for m in site.months for s in m.stories}
    outlet_ref = {o.name: OutletRef(o.name, o.slug) for o in site.outlets}
    tags_of: dict[str, list[TagRef]] = {}
    for tag in site.tags:
        for tagged in tag.entries:
            tags_of.setdefault(tagged.slug, []).append(TagRef(tag.name, tag.slug))
    wanted = (lambda path: True) if only is None else only.__contains__
    for story in digest.stories:
        if wanted(story_path(story)):
            related = [stories_by_slug[slug] for slug in story.related[:RELATED_SHOWN] if slug in stories_by_slug]
            pages.append(Page(
                story_path(story), "story.html",
                {"story": story, "related": related, "topic_size": len(story.related) + 1,
                 "all_related": related_path(story.topic) if len(story.related) > RELATED_SHOWN else None,
                 "outlets": [outlet_ref[name] for name in story.sources if name in outlet_ref],
                 "story_month": month_of.get(story.slug),
                 # its versions' tags, each once (a story page was the one place without a way to them)
                 "story_tags": list({ref.slug: ref for e in story.entries for ref in tags_of.get(e.slug, [])}.values()),
                 "meta": _article_meta(story.date, story.updated)},
                f"story {story.slug!r}",
                lastmod=story.sort_date,
                feed=story_feed_path(story),
                derived=("meta",),
            ))
        for entry in story.entries:
            if not wanted(article_path(entry)):
                continue  # (the one loop that grows with the site: the others are a few pages)
            others = [e for e in story.entries if e is not entry]
            pages.append(Page(
                article_path(entry), "article.html",
                {"entry": entry, "story": story, "others": others[:OTHERS_SHOWN],
                 "others_more": max(0, len(others) - OTHERS_SHOWN),
                 "outlet": outlet_ref.get(entry.source),
                 "entry_tags": tags_of.get(entry.slug, []),
                 "meta": _article_meta(entry.date, entry.updated, entry.author)},
                entry.source_path,
                lastmod=entry.sort_date,
                feed=story_feed_path(story),
                derived=("others", "others_more", "meta"),
            ))

    pages.append(Page(SOURCES_INDEX, "sources.html", {"outlets": site.outlets, "meta": {"type": "website"}},
                      "the list of sources", lastmod=_newest(e.sort_date for e in digest.entries)))
    # An outlet's and a tag's articles come a page of ARTICLES_PER_PAGE at a time, each page
    # holding only its own articles: a big outlet's page stays readable, and an edit
    # re-renders the one page that lists the article.
    for outlet in site.outlets:
        ref = outlet_ref[outlet.name]
        for path, chunk, pagination in _paginated(outlet.entries, ARTICLES_PER_PAGE, outlet_path(outlet)):
            pages.append(Page(
                path, "source.html",
                {"outlet": ref, "entries": chunk, "story_of": {e.slug: site.story_of[e.slug] for e in chunk},
                 "article_count": len(outlet.entries), "story_count": len(outlet.stories),
                 "pagination": pagination, "meta": {"type": "website"}},
                f"source {outlet.name!r}", lastmod=_newest(e.sort_date for e in chunk)))

    pages.append(Page(ARCHIVE_INDEX, "archive.html", {"months": site.months, "archive_year": None, "meta": {"type": "website"}},
                      "the archive", lastmod=_newest(s.sort_date for s in digest.stories)))
    # A year's months, where a reader trimming a month's address (archive/2021/05/) lands.
    for year in sorted({month.year for month in site.months}, reverse=True):
        months = tuple(month for month in site.months if month.year == year)
        pages.append(Page(year_path(year), "archive.html", {"months": months, "archive_year": year, "meta": {"type": "website"}},
                          f"archive {year:04d}", lastmod=_newest(s.sort_date for m in months for s in m.stories)))
    for month in site.months:
        # ``month`` keeps all its stories, as it did before months had pages: a theme's own
        # month.html that lists month.stories still shows them all.
        for path, chunk, pagination in _paginated(month.stories, STORIES_PER_MONTH_PAGE, month_path(month)):
            pages.append(Page(
                path, "month.html",
                {"month": month, "stories": chunk, "pagination": pagination, "meta": {"type": "website"}},
                f"archive {month.year:04d}-{month.month:02d}"
                + (f", page {pagination['number']}" if pagination["number"] > 1 else ""),
                lastmod=_newest(s.sort_date for s in chunk)))

    if site.tags:
        pages.append(Page(TAGS_INDEX, "tags.html", {"tags": site.tags, "meta": {"type": "website"}},
                          "the list of tags", lastmod=_newest(e.sort_date for t in site.tags for e in t.entries)))
        for tag in site.tags:
            for path, chunk, pagination in _paginated(tag.entries, ARTICLES_PER_PAGE, tag_path(tag)):
                pages.append(Page(
                    path, "tag.html",
                    {"tag": TagRef(tag.name, tag.slug), "entries": chunk, "article_count": len(tag.entries),
                     "story_of": {e.slug: site.story_of[e.slug] for e in chunk},
                     "pagination": pagination, "meta": {"type": "website"}},
                    f"tag {tag.name!r}", lastmod=_newest(e.sort_date for e in chunk)))

    for topic, stories in _big_topics(digest):
        named_after = stories_by_slug[topic]  # a topic is named after one of its stories
        for path, chunk, pagination in _paginated(stories, config.page_size, related_path(topic)):
            pages.append(Page(
                path, "related.html",
                {"stories": chunk, "named_after": named_after, "topic_size": len(stories),
                 "pagination": pagination, "meta": {"type": "website"}},
                f"the stories related to {topic!r}", lastmod=_newest(s.sort_date for s in chunk)))

    pages.append(Page("404.html", "404.html", {"absolute_root": absolute_root(config), "meta": {"type": "website"}},
                      "the 404 page", in_sitemap=False))
    return pages if only is None else [page for page in pages if page.path in only]


def search_page(search_manifest: str) -> Page:
    """The search page, which loads the search index's manifest (search.search_index)."""
    return Page(SEARCH_PAGE, "search.html", {"meta": {"type": "website"}, "search_index": search_manifest},
                "the search page", in_sitemap=False)


def absolute_root(config: Config) -> str:
    """Where the site lives on its host: ``/news/`` for ``https://example.org/news/``, else ``/``.

    Only the 404 page uses it: a server shows that page at any depth, so relative links cannot work.
    """
    return (urlsplit(config.base_url).path or "/") if config.base_url else "/"


def _big_topics(digest: Digest) -> list[tuple[str, list[Story]]]:
    """Topics too big for their story pages to list (RELATED_SHOWN), each with its
    stories newest first (the order of every story's ``related``)."""
    by_topic: dict[str, list[Story]] = {}
    for story in digest.stories:
        by_topic.setdefault(story.topic, []).append(story)
    # a story's related are its topic's other stories: as many as a story page's list can hold
    return [(topic, sorted(stories, key=Story.newest_first)) for topic, stories in by_topic.items()
            if len(stories) - 1 > RELATED_SHOWN]


def _paginated(items: Sequence[Any], size: int, first: str) -> list[tuple[str, Sequence[Any], dict[str, Any]]]:
    """``items`` in pages of ``size``: each page's path, its items and what its pager shows;
    one empty page for none.

    A pager links the first and last pages and those near the current one, with a gap
    (``(None, None)``) between: linking every page from every page would grow with the
    square of the listing's length."""
    size = max(1, size)
    chunks = [items[i:i + size] for i in range(0, len(items), size)] or [items[:0]]
    paths = [listing_page_path(first, n) for n in range(1, len(chunks) + 1)]
    return [
        (paths[number - 1], chunk, {
            "number": number,
            "count": len(chunks),
            "prev": paths[number - 2] if number > 1 else None,
            "next": paths[number] if number < len(chunks) else None,
            "pages": _pager_window(number, paths),
        })
        for number, chunk in enumerate(chunks, start=1)
    ]


PAGER_NEIGHBOURS = 3  # pages linked on each side of the current one


def _pager_window(number: int, paths: list[str]) -> list[tuple[int | None, str | None]]:
    shown = {1, len(paths), *range(max(1, number - PAGER_NEIGHBOURS), min(len(paths), number + PAGER_NEIGHBOURS) + 1)}
    shown = sorted(shown | {n + 1 for n in shown if n + 2 in shown})  # "1 … 3" hid one page behind as much room
    window: list[tuple[int | None, str | None]] = []
    for n in shown:
        if window and window[-1][0] is not None and n - window[-1][0] > 1:
            window.append((None, None))
        window.append((n, paths[n - 1]))
    return window


def _article_meta(published: datetime | None, modified: datetime | None, author: str | None = None) -> dict[str, Any]:
    return {"type": "article", "published": published, "modified": modified or published, "author": author}


def _newest(values: Iterable[datetime | None]) -> datetime | None:
    dated = [v for v in values if v]
    return max(dated) if dated else None


def site_url(config: Config, target: str, from_path: str) -> str:
    """``target`` (an output path) as feeds and the sitemap link it: absolute under ``base_url``
    (directory form), or relative to ``from_path`` (explicit ``index.html``) when no base_url is set."""
    if config.base_url:
        return config.base_url + _pretty(target)
    depth = sum(1 for part in from_path.split("/") if part not in ("", ".")) - 1  # as PurePosixPath counts
    return "../" * depth + target


def _pretty(path: str) -> str:
    return path.removesuffix("index.html")
