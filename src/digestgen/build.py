"""``digestgen build``: gather everything, then write.

Reads top to bottom: config, templates, content, stories, pages, files. Nothing
is written until every page has rendered, so a failed build changes nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .assets import static_files
from .config import Paths, load_config
from .content import discover, read_entries
from .errors import ContentError, DigestgenError, OutputError, Problem, TemplateError
from .models import Digest
from .output import write_site
from .pages import digest_json, plan_pages, render_pages
from .render import check_templates, make_environment, theme_dir
from .stories import assign_entry_slugs, build_stories

log = logging.getLogger("digestgen")


@dataclass(frozen=True)
class BuildResult:
    digest: Digest
    warnings: tuple[Problem, ...]
    files_written: int
    timings: dict[str, float] = field(default_factory=dict)


def build(paths: Paths, *, config_required: bool = False, strict: bool = False, drafts: bool = False) -> BuildResult:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    _check_layout(paths)
    config = load_config(paths.config_file, required=config_required)
    env = make_environment(paths.templates, config.tzinfo)
    template_problems = check_templates(env)
    try:
        read = read_entries(discover(paths.content), paths.content, config.tzinfo)
    except ContentError as exc:
        raise ContentError(exc.problems + template_problems) from None
    if template_problems:
        raise TemplateError(template_problems)
    if strict and read.warnings:
        raise ContentError([replace(w, severity="error") for w in read.warnings])
    lap("read")

    entries = assign_entry_slugs([e for e in read.entries if drafts or not e.draft])
    stories = build_stories(entries, config)
    digest = Digest(config.title, config.description, stories)
    lap("group")

    static, assets = static_files(theme_dir() / "static", paths.static)
    files = [*render_pages(env, plan_pages(digest, config), config, assets), digest_json(digest), *static]
    lap("render")

    write_site(files, paths.output)
    lap("write")
    return BuildResult(digest, read.warnings, len(files), timings)


def _check_layout(paths: Paths) -> None:
    """Refuse an output folder whose replacement would destroy the site or someone's files."""
    out = paths.output
    if out in (paths.site, paths.content) or paths.content.is_relative_to(out) or out.is_relative_to(paths.content):
        raise OutputError(Problem(str(out), None, "the output folder must not contain, or be inside, the site or its content"))
    if out.is_dir() and any(out.iterdir()) and not (out / "digest.json").exists():
        raise OutputError(Problem(
            str(out), None,
            "refusing to replace a folder that is not a digestgen build (no digest.json); "
            "empty it or choose another --output",
        ))


__all__ = ["BuildResult", "DigestgenError", "build"]
