"""Making the site from its plan (pages.plan_pages): every page, feed and index, rendered or kept.

:func:`render_site` makes every page, feed and index a build writes (the build adds the
redirect pages, static files and the site's ``files/``); :func:`render_outputs` makes chosen
outputs again, for the live preview. Every output is keyed by a fingerprint of what it is
made from (_Producer): one whose fingerprint the previous build recorded is linked from there,
the others are made on every core, by forked workers that write them into the next site's
folder as they go.
"""

from __future__ import annotations

import difflib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TypeVar
from urllib.parse import quote

import jinja2

from ._workers import die_with_parent, stop_now
from .config import Config
from .digest_json import digest_json
from .errors import Problem, TemplateError
from .fingerprint import Fingerprinter
from .models import Digest, Story
from .output import OutputFile, Staging
from .pages import (DIGEST_JSON, FEED_ATOM, FEED_JSON, Page, Sections, article_path, digest_page_path, month_path,
                    outlet_path, plan_pages, search_page, sections, site_url, story_feed_path, story_path, tag_path,
                    year_path)
from .render import render, template_versions, templates_fixed

T = TypeVar("T")


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
    search_postings: Any = None  # search.SearchIndex.postings, for the next build's search_index(); None when kept
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
        # (slot, key, path, origin, make, template): template names the page's template, if it has one
        self._jobs: list[tuple[int, str, str, str, Callable[[], bytes], str | None]] = []

    def add(self, path: str, origin: str, make: Callable[[], bytes], *inputs: Any, template: str | None = None) -> None:
        """The output at ``path``: the previous build's if ``inputs`` are as they were, else ``make()``'s bytes."""
        key = self.fingerprint(*inputs) if self._fingerprints else ""
        before = self.reusable.products.get(key)
        if before is not None and self._root is not None:
            self.products[key] = before
            self._files.append(OutputFile(path, b"", origin, reuse=os.path.join(self._root, before)))
        else:
            self._jobs.append((len(self._files), key, path, origin, make, template))
            self._files.append(None)

    def make(self, meanwhile: Callable[[], T]) -> T:
        """Make the outputs added so far, and return ``meanwhile()``, which runs in this
        process while worker processes make them."""
        jobs, self._jobs = self._jobs, []
        try:
            made, result = _make_all([job[2:5] for job in jobs], meanwhile, self._staging)
        except TemplateError as exc:
            raise TemplateError([*exc.problems, *_other_templates_problems(jobs, exc.problems)]) from None
        for (slot, key, path, origin, _, _), data in zip(jobs, made):
            self._files[slot] = OutputFile(path, b"", origin, staged=True) if data is None else OutputFile(path, data, origin)
            if key:
                self.products[key] = path
        return result

    def finish(self) -> list[OutputFile]:
        self.make(lambda: None)
        return self._files  # type: ignore[return-value]


def _other_templates_problems(jobs: list, known: list[Problem]) -> list[Problem]:
    """After a page failed to render: the first page of every template is made, so that the
    errors of other templates are listed with it, not one build after another."""
    seen, problems = {(p.path, p.line) for p in known}, []
    first_of = {}
    for job in jobs:
        if job[5] is not None:
            first_of.setdefault(job[5], job[4])
    for template in sorted(first_of):
        try:
            first_of[template]()
        except TemplateError as exc:
            problems += [p for p in exc.problems if (p.path, p.line) not in seen]
            seen |= {(p.path, p.line) for p in exc.problems}
    return problems


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
            "canonical": site_url(config, page.path, page.path) if config.base_url and page.in_sitemap else "",
            "assets": _Assets({name: root + quote(target) for name, target in assets.items()}),  # "my logo.svg" too
            "story_path": story_path,
            "article_path": article_path,
            "outlet_path": outlet_path,
            "tag_path": tag_path,
            "month_path": month_path,
            "year_path": year_path,
            "digest_page_path": digest_page_path,
            "nav": {"tags": nav_tags},
            "feeds": {"atom": FEED_ATOM, "json": FEED_JSON, "page": page.feed},
            "meta": {"type": "website"},
            **page.context,
        }
        # Everything else in the context follows from the page's path and `common`.
        inputs = {k: v for k, v in page.context.items() if k not in page.derived} if page.derived else page.context
        producer.add(page.path, page.origin, partial(_render_bytes, env, page.template, context),
                     common, page.template, versions.get(page.template, ""), page.path, page.in_sitemap, page.feed, inputs,
                     template=page.template)


class _Assets(dict):
    """A page's links to the static files, by name: ``assets['style.css']``. Asking for a file
    there is none of says so (a missing key would read "'dict object' has no attribute")."""

    def __missing__(self, name: object) -> str:
        near = difflib.get_close_matches(str(name), list(self), n=1)
        raise jinja2.TemplateRuntimeError(
            f"no static file {name!r} in the site's static/ folder or the theme's"
            + (f" (did you mean {near[0]!r}?)" if near else ""))


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
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start_renderer, initargs=(os.getpid(),))
        try:
            chunks = pool.map(_make_range, ranges)  # submits every range before it returns
            result = meanwhile()
            made = [data for chunk in chunks for data in chunk]
        except BaseException:  # Ctrl-C, a template error: stopped now, not after every page is made
            stop_now(pool)
            raise
        pool.shutdown()
        return made, result
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
    last_postings: Callable[[], Any] = lambda: None  # the previous build's SearchIndex.postings, read when needed
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
    from .sitemap import robots_txt, sitemaps

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
    search_key = producer.fingerprint("search index", config.timezone, config.language, config.translations, digest.stories)
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
    if config.base_url:  # a sitemap lists absolute addresses only (sitemaps.org): without one, none
        files.extend(sitemaps(pages, config))
    files.append(robots_txt(config))
    warnings: tuple[Problem, ...] = ()
    if not config.base_url:
        warnings = (Problem(
            config_path, None,
            "base_url is not set: feeds and canonical links use relative URLs, which feed readers and "
            "search engines may not resolve, no sitemap is written (it lists absolute ones), and the 404 page links from the "
            "domain's root (a server shows it at any depth); set base_url to the site's public address",
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
