"""The site's pages: which files the digest becomes, and what each template is given.

Every page links to every other with a path relative to itself (``../../stories/x/index.html``),
so one build works at a domain root, under any subpath, and opened from disk. Feeds, the
sitemap and the search index are made here too, from the same plan.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Callable, Container, Iterable, Mapping, Sequence, TypeVar
from urllib.parse import urlsplit

import jinja2

from ._workers import die_with_parent
from .config import Config
from .errors import Problem
from .fingerprint import Fingerprinter
from .models import Digest, Entry, Story
from .output import OutputFile, Staging
from .render import render, template_versions, templates_fixed
from .slugs import slugify, unique_slugs

T = TypeVar("T")


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


def outlet_path(outlet: Outlet) -> str:
    return f"sources/{outlet.slug}/index.html"


def tag_path(tag: Tag) -> str:
    return f"tags/{tag.slug}/index.html"


def month_path(month: Month) -> str:
    return f"archive/{month.year:04d}/{month.month:02d}/index.html"


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


@dataclass(frozen=True)
class Sections:
    outlets: tuple[Outlet, ...]
    tags: tuple[Tag, ...]
    months: tuple[Month, ...]  # newest first
    story_of: Mapping[str, Story] = field(default_factory=dict)  # entry slug -> story


def sections(digest: Digest, config: Config) -> Sections:
    story_of = {e.slug: s for s in digest.stories for e in s.entries}
    entries = sorted(digest.entries, key=_entry_newest_first)

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

    by_tag: dict[str, tuple[str, list[Entry]]] = {}
    for entry in entries:
        for tag in entry.tags:
            key = slugify(tag, fallback="tag")
            name, tagged = by_tag.setdefault(key, (tag, []))
            if not tagged or tagged[-1] is not entry:  # a tag given twice in one entry
                tagged.append(entry)
    tags = tuple(Tag(name, slug, tuple(tagged)) for slug, (name, tagged) in sorted(by_tag.items()))

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
            lastmod=_newest(s.updated or s.date for s in chunk),
        ))

    # Story and article pages link to their outlet, month and tags: they get those as bare
    # references (no member lists), so an edit elsewhere in an outlet does not re-render them.
    month_of = {s.slug: Month(m.year, m.month, ()) for m in site.months for s in m.stories}
    outlet_ref = {o.name: Outlet(o.name, o.slug, (), ()) for o in site.outlets}
    tags_of: dict[str, list[Tag]] = {}
    for tag in site.tags:
        for tagged in tag.entries:
            tags_of.setdefault(tagged.slug, []).append(Tag(tag.name, tag.slug, ()))
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
                 "meta": _article_meta(story.date, story.updated)},
                f"story {story.slug!r}",
                lastmod=story.updated or story.date,
                feed=story_feed_path(story),
                derived=("meta",),
            ))
        for entry in story.entries:
            if not wanted(article_path(entry)):
                continue  # (the one loop that grows with the site: the others are a few pages)
            others = [e for e in story.entries if e is not entry]
            pages.append(Page(
                article_path(entry), "article.html",
                {"entry": entry, "story": story, "others": others,
                 "outlet": outlet_ref.get(entry.source),
                 "entry_tags": tags_of.get(entry.slug, []),
                 "meta": _article_meta(entry.date, entry.updated, entry.author)},
                entry.source_path,
                lastmod=entry.sort_date,
                feed=story_feed_path(story),
                derived=("others", "meta"),
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

    pages.append(Page(ARCHIVE_INDEX, "archive.html", {"months": site.months, "meta": {"type": "website"}},
                      "the archive", lastmod=_newest(s.updated or s.date for s in digest.stories)))
    for month in site.months:
        # ``month`` keeps all its stories, as it did before months had pages: a theme's own
        # month.html that lists month.stories still shows them all.
        for path, chunk, pagination in _paginated(month.stories, STORIES_PER_MONTH_PAGE, month_path(month)):
            pages.append(Page(
                path, "month.html",
                {"month": month, "stories": chunk, "pagination": pagination, "meta": {"type": "website"}},
                f"archive {month.year:04d}-{month.month:02d}"
                + (f", page {pagination['number']}" if pagination["number"] > 1 else ""),
                lastmod=_newest(s.updated or s.date for s in chunk)))

    if site.tags:
        pages.append(Page(TAGS_INDEX, "tags.html", {"tags": site.tags, "meta": {"type": "website"}},
                          "the list of tags", lastmod=_newest(e.sort_date for t in site.tags for e in t.entries)))
        for tag in site.tags:
            for path, chunk, pagination in _paginated(tag.entries, ARTICLES_PER_PAGE, tag_path(tag)):
                pages.append(Page(
                    path, "tag.html",
                    {"tag": Tag(tag.name, tag.slug, ()), "entries": chunk, "article_count": len(tag.entries),
                     "pagination": pagination, "meta": {"type": "website"}},
                    f"tag {tag.name!r}", lastmod=_newest(e.sort_date for e in chunk)))

    for topic, stories in _big_topics(digest):
        named_after = stories_by_slug[topic]  # a topic is named after one of its stories
        for path, chunk, pagination in _paginated(stories, config.page_size, related_path(topic)):
            pages.append(Page(
                path, "related.html",
                {"stories": chunk, "named_after": named_after, "topic_size": len(stories),
                 "pagination": pagination, "meta": {"type": "website"}},
                f"the stories related to {topic!r}", lastmod=_newest(s.updated or s.date for s in chunk)))

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
    shown = sorted({1, len(paths), *range(max(1, number - PAGER_NEIGHBOURS), min(len(paths), number + PAGER_NEIGHBOURS) + 1)})
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


def _entry_newest_first(entry: Entry) -> tuple:
    stamp = entry.sort_date
    return (stamp is None, -(stamp.timestamp()) if stamp else 0.0, entry.slug)


# -- rendering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reusable:
    """What the previous build made from which inputs, and where its output lies: a page whose
    inputs have the same fingerprint is linked from there instead of rendered again."""

    products: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> output path
    root: Path | str | None = None


@dataclass(frozen=True)
class RenderedSite:
    files: list[OutputFile]
    warnings: tuple[Problem, ...]
    products: dict[str, str]  # for the next build's Reusable
    search_postings: Any = None  # search.Postings, for the next build's search_index(); None when kept
    search_files: list[str] = field(default_factory=list)  # the search index's output paths, manifest first


class _Producer:
    """Makes outputs, or reuses the previous build's when their fingerprint is unchanged.
    Outputs are added one by one; finish() makes the new ones, on every core when there
    are enough of them, and returns every output in the order added. Given a ``staging``
    folder, what is made goes straight into it (OutputFile.staged), not back in memory."""

    def __init__(self, reusable: Reusable, salt: str, fingerprints: bool = True,
                 staging: Staging | None = None) -> None:
        self.reusable = reusable
        self._staging = staging
        self._fingerprints = fingerprints  # False: everything is made, and nothing recorded for reuse
        # str: a Path per reused file costs more than the reuse saves
        self._root = str(reusable.root) if reusable.root is not None else None
        self.fingerprint = Fingerprinter(salt)
        self.products: dict[str, str] = {}
        self._files: list[OutputFile | None] = []
        self._jobs: list[tuple[int, str, str, str, Callable[[], bytes]]] = []  # (slot, key, path, origin, make)

    def add(self, path: str, origin: str, make: Callable[[], bytes], *inputs: Any) -> None:
        """The output at ``path``: the previous build's if ``inputs`` are as they were, else ``make()``'s bytes."""
        key = self.fingerprint(*inputs) if self._fingerprints else ""
        before = self.reusable.products.get(key)
        if before is not None and self._root is not None:
            self.products[key] = before
            self._files.append(OutputFile(path, b"", origin, reuse=os.path.join(self._root, before)))
        else:
            self._jobs.append((len(self._files), key, path, origin, make))
            self._files.append(None)

    def make(self, meanwhile: Callable[[], T]) -> T:
        """Make the outputs added so far, and return ``meanwhile()``, which runs in this
        process while worker processes make them."""
        jobs, self._jobs = self._jobs, []
        made, result = _make_all([job[2:] for job in jobs], meanwhile, self._staging)
        for (slot, key, path, origin, _), data in zip(jobs, made):
            self._files[slot] = OutputFile(path, b"", origin, staged=True) if data is None else OutputFile(path, data, origin)
            if key:
                self.products[key] = path
        return result

    def finish(self) -> list[OutputFile]:
        self.make(lambda: None)
        return self._files  # type: ignore[return-value]


def _add_pages(env: jinja2.Environment, pages: list[Page], config: Config, assets: Mapping[str, str],
               site: Sections, producer: _Producer) -> None:
    nav_tags = bool(site.tags)
    common = producer.fingerprint(config, dict(assets), nav_tags)
    versions = template_versions(env, {page.template for page in pages})
    for page in pages:
        root = page.context.get("absolute_root") or "../" * page.path.count("/")
        context = {
            "site": config,
            "root": root,
            "page_path": page.path,
            "canonical": config.base_url + _pretty(page.path) if config.base_url and page.in_sitemap else "",
            "assets": {name: root + target for name, target in assets.items()},
            "story_path": story_path,
            "article_path": article_path,
            "outlet_path": outlet_path,
            "tag_path": tag_path,
            "month_path": month_path,
            "digest_page_path": digest_page_path,
            "nav": {"tags": nav_tags},
            "feeds": {"atom": FEED_ATOM, "json": FEED_JSON, "page": page.feed},
            "meta": {"type": "website"},
            **page.context,
        }
        # Everything else in the context follows from the page's path and `common`.
        inputs = {k: v for k, v in page.context.items() if k not in page.derived} if page.derived else page.context
        producer.add(page.path, page.origin, partial(_render_bytes, env, page.template, context),
                     common, page.template, versions.get(page.template, ""), page.path, page.in_sitemap, page.feed, inputs)


def _render_bytes(env: jinja2.Environment, template: str, context: dict[str, Any]) -> bytes:
    return render(env, template, context).encode("utf-8")


_PARALLEL_FROM = 400  # outputs; below this, starting workers costs more than it saves
_Job = tuple[str, str, Callable[[], bytes]]  # (path, origin, make)
_fork_jobs: tuple[list[_Job], Staging | None] | None = None


def _make_all(jobs: list[_Job], meanwhile: Callable[[], T], staging: Staging | None) -> tuple[list[bytes | None], T]:
    """Run every job, on every core when there is enough to do, and ``meanwhile()`` in this
    process. Workers are forked, so they inherit the jobs (templates, contexts, stories)
    instead of receiving them pickled. With ``staging``, each output is written into it
    where it is made, and None comes back in place of its bytes."""
    global _fork_jobs
    workers = min(os.cpu_count() or 1, 8)
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if len(jobs) < _PARALLEL_FROM or workers < 2 or not forkable:
        return [_make_one(job, staging) for job in jobs], meanwhile()
    _fork_jobs = jobs, staging
    try:
        step = -(-len(jobs) // (workers * 4))
        ranges = [(start, min(start + step, len(jobs))) for start in range(0, len(jobs), step)]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_start_renderer, initargs=(os.getpid(),)) as pool:
            chunks = pool.map(_make_range, ranges)  # submits every range before it returns
            result = meanwhile()
            return [data for chunk in chunks for data in chunk], result
    finally:
        _fork_jobs = None


def _start_renderer(parent: int) -> None:
    die_with_parent(parent)
    templates_fixed()


def _make_range(bounds: tuple[int, int]) -> list[bytes | None]:
    jobs, staging = _fork_jobs  # type: ignore[misc]
    return [_make_one(job, staging) for job in jobs[bounds[0]:bounds[1]]]


def _make_one(job: _Job, staging: Staging | None) -> bytes | None:
    path, origin, make = job
    if staging is None:
        return make()
    staging.write(path, make(), origin)
    return None


@dataclass(frozen=True)
class SearchSources:
    """What render_site() may make the search index from, besides the digest."""

    words: Mapping[str, str] = field(default_factory=dict)  # source path -> search.entry_words()
    last_files: Sequence[str] = ()  # the previous build's index files (in Reusable.root), manifest first
    last_postings: Callable[[], Any] = lambda: None  # the previous build's Postings, read when needed
    keep_last: bool = False  # keep last_files although the stories changed (a provisional build)


def render_site(env: jinja2.Environment, digest: Digest, config: Config, assets: Mapping[str, str],
                reusable: Reusable = Reusable(), salt: str = "", search: SearchSources = SearchSources(),
                config_path: str = "digestgen.toml", staging: Staging | None = None) -> RenderedSite:
    """Every page, feed, the sitemap, robots.txt, digest.json and the search index; plus warnings for the build.

    ``salt`` must change whenever code changes; then nothing is reused. A page is also
    rendered again when its template or any template it uses changed (template_versions).
    The search index is kept, like a page, while what it shows is as it was. Pages and
    feeds made with a ``staging`` folder are written into it as they are made (their
    OutputFile is ``staged``)."""
    from .feeds import atom_feed, json_feed
    from .search import SearchIndex, search_index
    from .sitemap import robots_txt, sitemap_xml

    producer = _Producer(reusable, salt, staging=staging)
    site = sections(digest, config)
    pages = plan_pages(digest, config, site)
    _add_pages(env, pages, config, assets, site, producer)
    for story in digest.stories:  # rendered with the pages, in parallel: each holds every version's text
        _add_story_feed(producer, story, config)
    # Kept while the stories are as they were (their fingerprints are known by now), as it
    # takes a tenth of a second to write out at 10,000 articles. An article's fingerprint is
    # its file's, and the time zone its dates are read in is not in the file.
    producer.add(DIGEST_JSON, DIGEST_JSON, partial(_digest_json_bytes, digest),
                 DIGEST_JSON, config.timezone, digest.title, digest.stories)
    # The search index shows the stories and their articles (whose fingerprint is their
    # file's, read in the site's time zone), dated in the site's language: after a template
    # or config edit it is as it was, and making it again would cost a fifth of the edit.
    search_key = producer.fingerprint("search index", config.timezone, config.language, digest.stories)
    if search.last_files and reusable.root is not None and (search.keep_last or search_key in reusable.products):
        producer.make(lambda: None)
        index = SearchIndex([OutputFile(path, b"", "the search index", reuse=os.path.join(str(reusable.root), path))
                             for path in search.last_files], None)
    else:
        # It needs no page, so it is made while workers render them: this process would
        # otherwise only wait. The search page, which names it, comes after.
        index = producer.make(lambda: search_index(digest, config, search.words, search.last_postings()))
    if not search.keep_last:  # a kept index that the stories have moved on from is not theirs
        producer.products[search_key] = index.files[0].path
    _add_pages(env, [search_page(index.files[0].path)], config, assets, site, producer)
    files = producer.finish()
    files.extend(index.files)
    files.append(atom_feed(digest, config))
    files.append(json_feed(digest, config))
    files.append(sitemap_xml(pages, config))
    files.append(robots_txt(config))
    warnings: tuple[Problem, ...] = ()
    if not config.base_url:
        warnings = (Problem(
            config_path, None,
            "base_url is not set: feeds, the sitemap and canonical links use relative URLs, "
            "which feed readers and search engines may not resolve; set base_url to the site's public address",
            "warning",
        ),)
    return RenderedSite(files, warnings, producer.products, index.postings, [f.path for f in index.files])


# -- remaking chosen outputs, for the live preview's patches ------------------------------------


def render_outputs(env: jinja2.Environment, digest: Digest, config: Config, assets: Mapping[str, str],
                   salt: str, wanted: set[str]) -> list[OutputFile]:
    """The pages and feeds at the ``wanted`` paths, made afresh, as render_site makes them."""
    from .feeds import atom_feed, json_feed

    producer = _Producer(Reusable(), salt, fingerprints=False)
    site = sections(digest, config)
    pages = plan_pages(digest, config, site, only=wanted)
    _add_pages(env, pages, config, assets, site, producer)
    for story in digest.stories:
        if story_feed_path(story) in wanted:
            _add_story_feed(producer, story, config)
    files = producer.finish()
    files += [feed(digest, config) for path, feed in ((FEED_ATOM, atom_feed), (FEED_JSON, json_feed)) if path in wanted]
    return files


def _add_story_feed(producer: _Producer, story: Story, config: Config) -> None:
    producer.add(story_feed_path(story), f"the feed of story {story.slug!r}",
                 partial(_feed_bytes, story, config), "feed", story, config)


def _feed_bytes(story: Story, config: Config) -> bytes:
    from .feeds import story_feed

    return story_feed(story, config).data


def _digest_json_bytes(digest: Digest) -> bytes:
    return digest_json(digest).data


def digest_json(digest: Digest) -> OutputFile:
    """digest.json, byte for byte as ``json.dumps(data, indent=2, ensure_ascii=False)`` writes
    it, but about twice as fast: with an indent, the json module encodes in Python, and
    every build that changes a story writes this file again (37 MB at 50,000 articles).
    Its pieces go into one list, joined once: joining story by story copied it thrice."""
    out = ['{\n  "title": ', _json_text(digest.title), ',\n  "stories": ']
    if digest.stories:
        out.append("[\n")
        for number, story in enumerate(digest.stories):
            if number:
                out.append(",\n")
            _story_json(story, out)
        out.append("\n  ]")
    else:
        out.append("[]")
    out.append("\n}\n")
    return OutputFile(DIGEST_JSON, "".join(out).encode("utf-8"), DIGEST_JSON)


_json_text = json.encoder.encode_basestring  # a str as JSON, non-ASCII kept (in C where it can be)


def _json_value(value: str | None) -> str:
    return "null" if value is None else _json_text(value)


def _story_json(story: Story, out: list[str]) -> None:
    out.append(
        f'    {{\n      "id": {_json_text(story.slug)},\n      "slug": {_json_text(story.slug)},\n'
        f'      "title": {_json_text(story.title)},\n      "url": {_json_text(story_path(story))},\n'
        f'      "date": {_json_value(_iso(story.date))},\n      "updated": {_json_value(_iso(story.updated))},\n'
        f'      "topic": {_json_text(story.topic)},\n      "related": '
    )
    if story.related:  # a topic of n stories lists n - 1 in each: the bulk of the file
        out += ("[\n        ", ",\n        ".join(map(_json_text, story.related)), "\n      ],\n")
    else:
        out.append("[],\n")
    out.append('      "entries": ')
    if story.entries:
        out.append("[\n")
        out.append(",\n".join(map(_entry_json, story.entries)))
        out.append("\n      ]\n    }")
    else:
        out.append("[]\n    }")


def _entry_json(entry: Entry) -> str:
    return (
        f'        {{\n          "id": {_json_text(entry.slug)},\n          "source_path": {_json_text(entry.source_path)},\n'
        f'          "title": {_json_text(entry.title)},\n          "source": {_json_text(entry.source)},\n'
        f'          "date": {_json_value(_iso(entry.date))},\n          "url": {_json_text(article_path(entry))},\n'
        f'          "original_url": {_json_value(entry.url)}\n        }}'
    )


def site_url(config: Config, target: str, from_path: str) -> str:
    """``target`` (an output path) as feeds and the sitemap link it: absolute under ``base_url``
    (directory form), or relative to ``from_path`` (explicit ``index.html``) when no base_url is set."""
    if config.base_url:
        return config.base_url + _pretty(target)
    depth = sum(1 for part in from_path.split("/") if part not in ("", ".")) - 1  # as PurePosixPath counts
    return "../" * depth + target


def _pretty(path: str) -> str:
    return path.removesuffix("index.html")


def _iso(value) -> str | None:  # noqa: ANN001
    return value.isoformat() if value else None
