"""``digestgen build``: gather everything, then write.

Reads top to bottom: config, templates, content, stories, pages, files. Pages go
into a hidden folder beside the site as they render (output.Staging), which becomes
the site only once everything has succeeded, so a failed build changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from jinja2 import Environment

from . import cache
from ._gc import cycle_collection_paused
from .assets import root_files, site_static
from .config import Config, Paths, line_of_key, load_config, normal_base_url
from .content import ReadResult, discover, link_articles, read_entries
from .content.dates import day_first
from .content.story_files import STORIES_FOLDER
from .errors import ContentError, DigestgenError, OutputError, Problem, TemplateError
from .grouping import group
from .i18n import base_language, catalogue, shipped_languages, site_messages, unasked, unknown_outlet
from .lock import discard_lock, holds, place_lock, prepare_lock, read_lock
from .models import Digest, Entry, StoryLock
from .output import Staging, file_clock, unchanged_since
from .patch import SiteState
from .redirects import redirect_pages
from .render import check_templates, make_environment, messages_asked_for, theme_dir
from .site import Reusable, SearchSources, render_site
from .slugs import slugify
from .stories import assign_entry_slugs, build_stories, carried_over, holding_unpublished, pinned_story

log = logging.getLogger("digestgen")
_SEARCH = "search.pickle"  # the last search index's postings, which the next build patches
_GROUPING = "grouping.pickle"  # the last group() result, with its input's key and article names


@dataclass(frozen=True)
class BuildResult:
    digest: Digest | None  # None when nothing changed and the previous output stands
    warnings: tuple[Problem, ...]
    files_written: int
    stories: int
    entries: int
    files_rendered: int = 0  # of files_written, those made afresh rather than kept from the last build
    timings: dict[str, float] = field(default_factory=dict)
    provisional: bool = False  # stories carried over from the last grouping, not regrouped
    state: SiteState | None = None  # what the site was made from, for patch.patch()
    lock: StoryLock | None = None  # the story lock it wrote, or would have (update_lock=False)
    left_out: int = 0  # articles read but not published: drafts, future-dated, expired

    @property
    def unchanged(self) -> bool:
        return self.digest is None


def _files_named_from_here(function: Callable[..., BuildResult]) -> Callable[..., BuildResult]:
    """Problems leave build() naming their files as the user opens them: from the working
    directory when below it (``content/2024/vote.md:3``), else in full. Inside, a problem
    names a file in full, or names no file (``the sitemap``); articles' problems are named
    from the content folder until the build names them in full (see _in_content)."""
    def shown(problem: Problem) -> Problem:
        return replace(problem, path=_shown(Path(problem.path))) if os.path.isabs(problem.path) else problem

    @functools.wraps(function)
    def build(*args: Any, **kwargs: Any) -> BuildResult:
        try:
            result = function(*args, **kwargs)
        except DigestgenError as exc:
            raise type(exc)([shown(p) for p in exc.problems]) from None
        return replace(result, warnings=tuple(shown(w) for w in result.warnings))
    return build


def _one_at_a_time(function: Callable[..., BuildResult]) -> Callable[..., BuildResult]:
    """build(), once no other build of the site runs (cache.one_build_at_a_time)."""
    @functools.wraps(function)
    def build(paths: Paths, *args: Any, **kwargs: Any) -> BuildResult:
        with cache.one_build_at_a_time(paths.cache):
            return function(paths, *args, **kwargs)
    return build


@cycle_collection_paused
@_files_named_from_here
@_one_at_a_time
def build(
    paths: Paths,
    *,
    config_required: bool = False,
    strict: bool = False,
    drafts: bool = False,
    future: bool = False,
    now: datetime | None = None,
    update_lock: bool = True,
    provisional: bool = False,
    base_url: str | None = None,
    progress: Callable[[str, int], None] | None = None,
    stories_known: Callable[[SiteState], None] | None = None,
) -> BuildResult:
    """Build the site at ``paths`` into ``paths.output``.

    ``now`` pins the build time (future-dated and expired entries are judged
    against it). ``update_lock=False``, used by the live preview, leaves the
    story lock alone so previewing never changes which URLs get published; so do
    ``drafts`` and ``future``.
    ``base_url``, when given, is the site's public address for this build, over the
    config's (a deploy preview published somewhere else); config.base_url_problem() must
    find nothing wrong with it. ``provisional=True``, also for the preview, skips regrouping when articles changed:
    each keeps the story the last grouping gave it and new ones stand alone, so an edit
    shows at once; the result says so, and an exact build should follow.
    ``progress(stage, count)`` is told as each stage starts (for a progress display); an
    exception it raises stops the build there, with the output as it was.
    ``stories_known(state)`` is told what the site is made from as soon as the stories are
    known, before any page is rendered: the live preview shows the pages on screen from it.
    """
    tell = progress or (lambda stage, count: None)
    # A look at drafts or future articles is a preview: it must not give them addresses for good.
    update_lock = update_lock and not (drafts or future)
    timer = _Timer()
    now = now or datetime.now(timezone.utc)
    _check_layout(paths)
    article_files, signatures, sources, outside = _sources(paths)
    options = dict(drafts=drafts, future=future, strict=strict, update_lock=update_lock, provisional=provisional,
                   base_url=base_url)
    previous = _intact(cache.last_build(paths.cache, paths.output), paths)
    lock_bytes = _lock_bytes(paths)
    # What an exact build made of these sources is what a provisional build would make.
    exact = {**options, "provisional": False}
    if any(_still_current(previous, _inputs(sources, asked, lock_bytes), paths, now)
           for asked in ([options, exact] if provisional else [options])):
        timer.lap("check")
        return BuildResult(digest=None, warnings=tuple(Problem(*w) for w in previous.warnings), files_written=0,
                           stories=previous.stories, entries=previous.entries, timings=timer.laps,
                           left_out=previous.left_out)

    tell("reading articles", len(article_files))
    config = load_config(paths.config_file, required=config_required)
    if base_url is not None:
        config = replace(config, base_url=normal_base_url(base_url))
    messages = site_messages(config)
    env = make_environment(paths.templates, config.tzinfo, paths.cache / "templates", messages)
    template_problems = check_templates(env)
    config_warnings = (*_unshipped_language(config, env, paths.config_file), *_unasked_translations(config, env, paths.config_file),
                       *_unread_theme_folders(paths.templates))
    try:
        read = read_entries(article_files, paths.content, config.timezone, paths.cache, signatures,
                            unknown_outlet(messages), day_first(config.language))
    except ContentError as exc:
        raise ContentError([*_in_content(exc.problems, paths), *template_problems]) from None
    if template_problems:
        raise TemplateError(template_problems)
    timer.lap("read")

    tell("grouping articles into stories", len(read.entries))
    lock = read_lock(paths.lock_file)
    chosen = _published(read.entries, config, drafts=drafts, future=future, now=now)
    held = frozenset(e.source_path for e in read.entries) - {e.source_path for e in chosen}  # out for now
    entries = assign_entry_slugs(chosen, lock, held)
    # A link to another article's file leads to its page, now that every article has its address.
    entries, link_warnings = link_articles(entries, {e.source_path: e.slug for e in entries})
    features = {p: a.features for p, a in read.analysis.items()}
    grouper = _RememberedGrouping(paths.cache, provisional)
    plan = build_stories(entries, config, read.story_files, lock, features, grouper)
    plan = replace(plan, lock=holding_unpublished(plan.lock, lock, held))
    digest = Digest(config.title, config.description, plan.stories, plan.redirects)
    timer.lap("group")

    tell("rendering pages", len(digest.stories) + len(entries))
    # Pages also carry their templates' versions (render.template_versions): a template
    # edit re-renders the pages that use it, and a static file's new name every page.
    static, assets, salt = site_static(paths.static, paths.files)
    state = SiteState(paths, config, env, dict(assets), salt, digest, {f.slug: f for f in read.story_files},
                      frozenset(w.path for w in read.warnings), lock)
    if stories_known is not None:
        stories_known(state)
    reusable = Reusable(previous.products, paths.output) if _output_is(previous, paths) else Reusable()
    # A provisional build leaves the search index as it was: the exact build that follows
    # brings it up to date (at 10,000 articles it is a fifth of a quick rebuild).
    search = SearchSources({p: a.words for p, a in read.analysis.items()}, previous.search_files if previous else [],
                           lambda: cache.load_pickle(paths.cache, _SEARCH, cache.code_version()), grouper.carried_over)
    cache.finish_writing()  # rendering may fork workers, which must not inherit a writer thread
    # Pages go into the next site's folder as they are made; it becomes the site only at
    # commit(), and any failure before that removes it, leaving the site as it was.
    staging = Staging(paths.output, paths.cache)
    lock_ready = None  # the new story lock, written beside the old one before the site is swapped in
    try:
        site = render_site(env, digest, config, assets, reusable, salt, search, str(paths.config_file), staging)
        redirects = redirect_pages(digest.redirects, {s.slug: s for s in digest.stories}, config, messages)
        own = root_files(paths.files)
        # The site's own robots.txt replaces the one made; any other clash is an error (output.check_outputs).
        replaced = {f.path for f in own} & {"robots.txt"}
        files = [*(f for f in site.files if f.path not in replaced), *redirects, *static, *own]
        of_articles = (*read.warnings, *_empty_story_files(read), *_overruled_pins(read, lock), *link_warnings)
        warnings = (*config_warnings, *_no_articles(article_files, paths.content), *_leading_out(outside),
                    *_in_content(of_articles, paths),
                    *site.warnings)
        if strict and warnings:  # every one of them, from every stage, so all are fixed in one go
            raise ContentError([replace(w, severity="error") for w in warnings])
        timer.lap("render")

        tell("writing files", len(files))
        if update_lock and not holds(paths.lock_file, plan.lock):
            # a content folder that cannot take it (read-only, a full disk) stops the build here,
            # with the site as it was: the lock is written whole first, and renamed into place after
            lock_ready = prepare_lock(paths.lock_file, plan.lock)
        staging.commit(files)
        written = file_clock(paths.output.parent)
    except BaseException:
        staging.discard()
        discard_lock(lock_ready)
        raise
    if lock_ready is not None:
        place_lock(lock_ready, paths.lock_file)
    # A provisional build keeps its search postings in memory only: the exact build that
    # follows it writes them (pickling them is a tenth of a quick rebuild at 10,000 articles).
    if site.search_postings is not None:
        cache.save_pickle(paths.cache, _SEARCH, cache.code_version(), site.search_postings,
                          persist=not grouper.carried_over)
    cache.save_build(paths.cache, paths.output, cache.BuildRecord(
        inputs=_inputs(sources, options, _lock_bytes(paths)),
        valid_until=_next_change(read.entries, config, now),
        output=cache.output_signature(paths.output) or (0, 0),
        stories=len(digest.stories),
        entries=len(entries),
        files=len(files),
        left_out=len(read.entries) - len(entries),
        warnings=[[w.path, w.line, w.message, w.severity] for w in warnings],
        products=site.products,
        search_files=site.search_files,
        others=sorted({f.path for f in files} - set(site.products.values()) - set(site.search_files)),
        written=written,
    ))
    timer.lap("write")
    rendered = len(files) - sum(1 for f in files if f.reuse is not None)
    state = replace(state, warned=frozenset(w.path for w in of_articles))
    return BuildResult(digest=digest, warnings=warnings, files_written=len(files), stories=len(digest.stories),
                       entries=len(entries), files_rendered=rendered, timings=timer.laps, provisional=grouper.carried_over,
                       state=state, lock=plan.lock, left_out=len(read.entries) - len(entries))


def sources_signature(paths: Paths) -> str | None:
    """A fingerprint of every file a build of ``paths`` reads (their sizes, times and
    inodes, the story lock's bytes), or None when they cannot be listed (no content folder):
    when it is the same before and after some moment, no source changed in between. Takes
    what a build's check for changes takes (a tenth of a second at 10,000 articles)."""
    try:
        _, _, sources, _ = _sources(paths)
    except (ContentError, OSError):
        return None
    return _inputs(sources, {}, _lock_bytes(paths))


def _sources(paths: Paths) -> tuple[list[Path], dict[str, tuple[int, int, int] | None], list, list[Path]]:
    """The article files, their signatures, the signatures of all a build reads, and the
    symlinks in the content folder that lead out of it (skipped, with a warning)."""
    outside: list[Path] = []
    article_files = discover(paths.content, outside)
    signatures = {str(p): cache.signature_or_none(p) for p in article_files}
    return article_files, signatures, [*_source_signatures(paths, signatures), [str(p) for p in outside]], outside


def _source_signatures(paths: Paths, articles: dict[str, tuple[int, int, int] | None]) -> list:
    """Signatures (size, mtime, inode) of every file a build reads but the story lock: enough
    to recognise an unchanged site in milliseconds, without parsing anything."""
    config = paths.config_file
    return [
        str(paths.output),
        list(articles.items()),
        cache.folder_signatures(paths.content / STORIES_FOLDER, paths.templates, paths.static, paths.files, theme_dir()),
        (str(config), cache.signature_or_none(config)),
    ]


def _lock_bytes(paths: Paths) -> bytes:
    try:
        return paths.lock_file.read_bytes()
    except OSError:
        return b""


def _inputs(sources: list, options: dict[str, object], lock: bytes) -> str:
    # The build itself rewrites the lock, so it is compared by content, not by signature.
    return cache.inputs_fingerprint([sources, sorted(options.items()), hashlib.blake2b(lock).hexdigest()])


def _output_is(previous: cache.BuildRecord | None, paths: Paths) -> bool:
    """Is the output folder still the one the previous build wrote (so its files can be reused)?"""
    return previous is not None and cache.output_signature(paths.output) == previous.output


def _intact(previous: cache.BuildRecord | None, paths: Paths) -> cache.BuildRecord | None:
    """The previous build's record, less the outputs deleted or changed in its site since:
    those are made again, and the build is no longer a no-op."""
    if previous is None:
        return None
    made = {*previous.products.values(), *previous.search_files, *previous.others}
    there = unchanged_since(paths.output, sorted(made), previous.written)
    if there == made:
        return previous
    return replace(previous, inputs="", products={k: p for k, p in previous.products.items() if p in there},
                   search_files=previous.search_files if there.issuperset(previous.search_files) else [])


def _still_current(previous: cache.BuildRecord | None, inputs: str, paths: Paths, now: datetime) -> bool:
    return (
        _output_is(previous, paths)
        and previous.inputs == inputs
        and (previous.valid_until is None or now.timestamp() < previous.valid_until)
    )


def _next_change(entries: Sequence[Entry], config: Config, now: datetime) -> float | None:
    """When the published set changes by itself: a future entry's date, or an expiry."""
    moments = [e.date.timestamp() for e in entries if e.date and e.date > now]
    if config.expire_after_days:
        life = timedelta(days=config.expire_after_days)
        moments += [(e.date + life).timestamp() for e in entries if e.date and e.date + life > now]
    return min(moments) if moments else None


def _in_content(problems: Sequence[Problem], paths: Paths) -> tuple[Problem, ...]:
    """Problems of articles and story files, which the content stage names from the content
    folder (as the site knows them), naming their files in full."""
    return tuple(replace(p, path=os.path.join(paths.content, p.path)) for p in problems)


def _shown(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _RememberedGrouping:
    """group(), skipped when its exact input is what the last build grouped: editing a
    template, the config, or an article's tags, links or summary regroups nothing. When
    ``provisional``, a changed input is not regrouped either: the last grouping is carried
    over (stories.carried_over) and ``carried_over`` says so."""

    def __init__(self, folder: Path, provisional: bool) -> None:
        self.folder, self.provisional, self.carried_over = folder, provisional, False

    def __call__(self, docs, settings, key, names):  # noqa: ANN001, ANN204
        last = cache.load_pickle(self.folder, _GROUPING, cache.code_version())  # (key, names, grouping)
        if last is not None and last[0] == key:
            return last[2]
        if last is not None and self.provisional:
            self.carried_over = True
            return carried_over(last[2], last[1], names)
        grouping = group(docs, settings)
        cache.save_pickle(self.folder, _GROUPING, cache.code_version(), (key, tuple(names), grouping))
        return grouping


def _unshipped_language(config: Config, env: Environment, config_file: Path) -> tuple[Problem, ...]:
    """A warning when the site's language is one digestgen ships no words in and the site gives
    not all of them: its pages would say "Latest" under <html lang="zh"> without a word about
    it (given one of them, the other eighty stayed English without a word too)."""
    if base_language(config.language) in shipped_languages():
        return ()
    given = {key for key, _ in config.translations}
    missing = sorted((messages_asked_for(env) | set(catalogue("en"))) - given)
    if not missing:
        return ()
    some = ", ".join(repr(key) for key in missing[:3]) + (", …" if len(missing) > 3 else "")
    stay = ("so the theme's words stay English" if not given else
            f"and [translations] gives {len(given)} of its words: {len(missing)} stay English ({some})")
    return (Problem(str(config_file), line_of_key(config_file, "language"),
                    f"language {config.language!r}: digestgen ships no words in it, {stay}; give yours under "
                    "[translations] (digestgen/translations/en.toml lists them all)", "warning"),)


def _unasked_translations(config: Config, env: Environment, config_file: Path) -> tuple[Problem, ...]:
    """Warnings for the keys of [translations] that no template and nothing in digestgen asks for."""
    if not config.translations:
        return ()
    return tuple(
        Problem(str(config_file), line_of_key(config_file, key, "translations"),
                f"translations: nothing asks for {key!r}" + (f" (did you mean {near!r}?)" if near else "")
                + "; its words are not used", "warning")
        for key, near in unasked(config.translations, messages_asked_for(env))
    )


def _unread_theme_folders(templates: Path) -> tuple[Problem, ...]:
    """Warnings for folders of a site's templates/ that look like the theme's but are not read
    as such (a whole theme copied in): its static files, and default/ templates."""
    unread = {
        "static": "static files in templates/ are not published: a site's go in static/, beside templates/, "
                  "where one named as the theme's (static/style.css) replaces it",
        "default": "templates in templates/default/ are not used: default/<name> always names the theme's own; "
                   "a site's templates go straight in templates/, where one named as the theme's replaces it",
    }
    return tuple(Problem(str(templates / name), None, message, "warning")
                 for name, message in unread.items() if _differs_from_theme(templates / name, theme_dir() / name))


def _differs_from_theme(folder: Path, theme: Path) -> bool:
    """Does ``folder`` hold a file the theme's ``theme`` folder does not hold as it is? A copy of
    the theme as it came (digestgen's own source checkout is one) loses nothing by being unread."""
    if not folder.is_dir():
        return False
    for path in folder.rglob("*"):
        if path.is_file():
            twin = theme / path.relative_to(folder)
            try:
                if not twin.is_file() or twin.read_bytes() != path.read_bytes():
                    return True
            except OSError:
                return True
    return False


def _no_articles(article_files: Sequence[Path], content: Path) -> tuple[Problem, ...]:
    """A warning for a content folder with no article in it: files of other kinds (a page.html,
    notes.rst) are passed over without a word, and "Built 0 stories" alone says not why."""
    if article_files:
        return ()
    return (Problem(str(content), None, "no articles here: digestgen reads .md, .markdown and .txt files "
                                        "(not hidden ones, nor names starting with _)", "warning"),)


def _leading_out(links: Sequence[Path]) -> tuple[Problem, ...]:
    """Warnings for symlinks in the content folder that lead out of it, which are not read:
    "Built 1 story" alone would not say why a linked-in folder of articles is missing."""
    return tuple(Problem(str(link), None, "skipped: this symlink leads out of the content folder, and only "
                                          "what is inside it is published (move or copy the files in)", "warning")
                 for link in links)


def _empty_story_files(read: ReadResult) -> tuple[Problem, ...]:
    """Warnings for story files that no article can ever be in: none listed, none pinned.
    Such a story is never published, and a featured one vanished without a word."""
    pinned = {slugify(e.story, "story") for e in read.entries if e.story}
    return tuple(
        Problem(f.source_path, None, f"no article is in this story: list them under entries, or pin them "
                                     f"with 'story: {f.slug}' in their front matter", "warning")
        for f in read.story_files if not f.entries and f.slug not in pinned
    )


def _overruled_pins(read: ReadResult, lock: StoryLock) -> tuple[Problem, ...]:
    """Warnings for articles pinned to one story (``story:``) that a story file puts in
    another: the story file wins, and the editor who wrote the pin should know."""
    listed = {member: (f, line) for f in read.story_files for member, line in zip(f.entries, f.entry_lines)}
    problems = []
    for entry in read.entries:
        if not entry.story or entry.source_path not in listed:
            continue
        story_file, line = listed[entry.source_path]
        if pinned_story(entry.story, read.story_files, lock.redirects) != story_file.slug:
            problems.append(Problem(story_file.source_path, line,
                                    f"{entry.source_path!r} is pinned to story {slugify(entry.story, 'story')!r} in its "
                                    f"front matter, but this story file lists it: it stays in story {story_file.slug!r}",
                                    "warning"))
    return tuple(problems)


def _published(entries: Sequence[Entry], config: Config, *, drafts: bool, future: bool, now: datetime) -> list[Entry]:
    """Leave out drafts, future-dated and expired entries unless asked for."""
    oldest = now - timedelta(days=config.expire_after_days) if config.expire_after_days else None
    return [
        e for e in entries
        if (drafts or not e.draft)
        and (future or e.date is None or e.date <= now)
        and (oldest is None or e.date is None or e.date >= oldest)
    ]


def _check_layout(paths: Paths) -> None:
    """Refuse an output folder whose replacement would destroy the site or someone's files."""
    out = paths.output
    real_out, site, content = (path.resolve() for path in (out, paths.site, paths.content))  # through symlinks
    if real_out in (site, content) or content.is_relative_to(real_out) or real_out.is_relative_to(content):
        raise OutputError(Problem(str(out), None, "the output folder must not contain, or be inside, the site or its content"))
    if out.exists() and not out.is_dir():
        raise OutputError(Problem(str(out), None, "the output path is a file, not a folder; choose another --output"))
    if out.is_dir() and any(out.iterdir()) and not (out / "digest.json").exists():
        raise OutputError(Problem(
            str(out), None,
            "refusing to replace a folder that is not a digestgen build (no digest.json); "
            "empty it or choose another --output",
        ))


class _Timer:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = now - self._last
        self._last = now


__all__ = ["BuildResult", "DigestgenError", "build"]
