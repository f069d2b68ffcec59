"""Jinja2 rendering: the theme, a site's overrides, and the filters templates use."""

from __future__ import annotations

import traceback
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Mapping

import jinja2

from .errors import Problem, TemplateError

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".json")


def theme_dir() -> Path:
    """The default theme: inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).with_name("templates")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def make_environment(site_templates: Path, tz: tzinfo) -> jinja2.Environment:
    """A site's ``templates/`` overrides the theme file by file; ``default/…`` always names the theme."""
    theme = jinja2.FileSystemLoader(theme_dir())
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(site_templates), jinja2.PrefixLoader({"default": theme}), theme]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["isodate"] = lambda d: _local(d, tz).isoformat() if d else ""
    env.filters["date"] = lambda d: _human_date(_local(d, tz)) if d else ""
    env.globals["url"] = _url
    return env


def check_templates(env: jinja2.Environment) -> list[Problem]:
    """Compile every template up front so all syntax errors are reported together."""
    problems = []
    names = env.list_templates(filter_func=lambda n: n.endswith(TEMPLATE_SUFFIXES))
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(_display(exc.filename or name), exc.lineno, exc.message or str(exc)))
    return sorted(set(problems))


def render(env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> str:
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(Problem(_display(exc.filename or template), exc.lineno, exc.message or str(exc))) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(Problem(template, None, f"template not found: {exc.name}")) from None
    except Exception as exc:  # noqa: BLE001 - any failure inside a template is the template's
        path, line = _template_frame(exc, template)
        raise TemplateError(Problem(path, line, f"{type(exc).__name__}: {exc}")) from None


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    """A link relative to the current page, so the site works under any subpath and from disk."""
    return context["root"] + target


def _local(value: datetime, tz: tzinfo) -> datetime:
    return value.astimezone(tz)


def _human_date(value: datetime) -> str:
    return f"{value.day} {value:%B} {value.year}"


def _template_frame(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The innermost traceback frame inside a template: Jinja maps those to template lines."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(TEMPLATE_SUFFIXES):
            return _display(frame.filename), frame.lineno
    return fallback, None


def _display(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd()))
    except ValueError:
        return filename
