"""Jinja2 rendering: the theme, a site's overrides, and the filters templates use."""

from __future__ import annotations

import functools
import hashlib
import traceback
import re
from datetime import date as calendar_date, datetime, tzinfo
from pathlib import Path
from typing import Any, Iterable, Mapping

import jinja2
import jinja2.ext
import jinja2.lexer
import jinja2.meta
from markupsafe import Markup, escape

from .content.dates import in_zone, iso_text
from .content.markdown import safe_url
from .errors import Problem, TemplateError
from .i18n import Messages, messages_for

# What a templates folder holds as templates (its README.md is not one): checked up front,
# and read for the words they ask to have translated. Jinja's own names for partials count.
TEMPLATE_SUFFIXES = (".html", ".htm", ".xml", ".txt", ".json", ".svg", ".j2", ".jinja", ".jinja2")
_PARSER = jinja2.Environment(extensions=["jinja2.ext.i18n"])  # parsing only: templates as written, nothing compiled in


def theme_dir() -> Path:
    """The default theme: inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).with_name("templates")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


_environments: dict[tuple, jinja2.Environment] = {}


def make_environment(site_templates: Path, tz: tzinfo, compiled: Path | None = None,
                     messages: Messages | None = None) -> jinja2.Environment:
    """A site's ``templates/`` overrides the theme file by file; ``default/…`` always names the theme.

    A long-lived process (the live preview) reuses the environment and its compiled
    templates: Jinja re-reads any template whose file changed, and a new set of site
    template files makes a new environment, since an override may shadow a cached template.
    ``compiled`` is a folder where compiled templates are kept between runs (Jinja checks
    each against its source), which saves a command-line build compiling the theme again.
    ``messages`` are the words of the site's language, for ``_()``, ``ngettext()`` and
    ``{% trans %}`` (i18n.py); English when not given. Templates are compiled with them
    (_ConstantTranslations), so each language has its own compiled templates.
    """
    messages = messages or messages_for("en")
    names = tuple(sorted(p.as_posix() for p in site_templates.rglob("*"))) if site_templates.is_dir() else ()
    key = (str(site_templates), repr(tz), names, str(compiled), messages.fingerprint)
    if key not in _environments:
        _environments.clear()
        _environments[key] = _new_environment(site_templates, tz, messages, _bytecode_cache(compiled, messages.fingerprint))
    return _environments[key]


def templates_fixed() -> None:
    """For a process that only renders, such as a build's forked workers: no template file
    changes under it, so Jinja need not stat each template a page uses, on every page."""
    for env in _environments.values():
        env.auto_reload = False


def _bytecode_cache(folder: Path | None, variant: str) -> jinja2.BytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a cache that cannot be written only costs speed
    # Jinja checks a compiled template against its source only, and the code compiled
    # from one source differs by language.
    return _QuietBytecodeCache(str(folder), f"__jinja2_%s.{variant[:16]}.cache")


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged file (a disk filled mid-write): compiled afresh
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass  # as above: only speed is lost


def _new_environment(site_templates: Path, tz: tzinfo, messages: Messages,
                     bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    theme = jinja2.FileSystemLoader(theme_dir())
    # "default/<name>" is the theme's first, even for a site with a templates/default/ folder
    # of its own (a habit from other generators), which would otherwise hide the theme.
    loader = jinja2.ChoiceLoader(
        [jinja2.PrefixLoader({"default": theme}), jinja2.FileSystemLoader(site_templates), theme]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
        extensions=["jinja2.ext.i18n", _ConstantTranslations],
    )
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # {% trans %} passes its values to gettext
    env.globals.update(messages.template_globals())
    env.globals[_GETTEXT_OF_VALUE] = messages.gettext_of_value
    env.filters["isodate"] = _isodate_filter(tz)
    env.filters["date"] = _date_filter(tz, messages)
    env.filters["month_name"] = messages.month_name
    env.filters["month_and_year"] = lambda month: messages.month_and_year(month.month, month.year)
    env.filters["datetime"] = _datetime_filter(tz, messages)
    env.filters["lang_attributes"] = messages.lang_attributes  # a filter: called directly, unlike a function
    env.filters["safe_url"] = _safe_url_filter
    env.globals["url"] = _url
    env.globals["time_tag"] = _time_tag(env.filters["isodate"], env.filters["date"], env.filters["datetime"])
    return env


class _ConstantTranslations(jinja2.ext.Extension):
    """Compiles ``_("Words")``, with nothing to fill in, as its translation: a page says such
    words twenty times over, and each call would cost more than the rest of its line (two
    microseconds, a third of a second across a 10,000-article build). What the call would
    return at render time is what is compiled in: ``("Wörter"|safe)``. A call with values,
    ``ngettext`` and ``{% trans %}`` are left to run. (A template that names something else
    ``_`` would have its calls translated all the same: the theme's templates do not.)"""

    def filter_stream(self, stream: jinja2.lexer.TokenStream) -> Iterable[jinja2.lexer.Token]:
        gettext = self.environment.globals["gettext"]
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            name, *call = tokens[i:i + 4]
            if (name.type == "name" and name.value in ("_", "gettext") and (i == 0 or tokens[i - 1].type != "dot")
                    and call and call[0].type == "lparen"):
                kinds = [t.type for t in call]
                if kinds == ["lparen", "string", "rparen"]:
                    line = name.lineno
                    yield from (jinja2.lexer.Token(line, kind, value) for kind, value in (
                        ("lparen", "("), ("string", str(gettext(call[1].value))), ("pipe", "|"), ("name", "safe"), ("rparen", ")")))
                    i += 4
                    continue
                if kinds[1:3] not in (["string", "rparen"], ["string", "comma"]):
                    # _(entry.source): words that come from an article, not from the template, so
                    # not to be trusted as markup the way a template's own words are (i18n.gettext_of_value)
                    name = jinja2.lexer.Token(name.lineno, "name", _GETTEXT_OF_VALUE)
            yield name
            i += 1


_GETTEXT_OF_VALUE = "digestgen_gettext_of_value"


def messages_asked_for(env: jinja2.Environment) -> set[str]:
    """The English text of every message the templates ask to have translated (the singular
    of a plural): what a site's [translations] may give."""
    found: set[str] = set()
    for name in _template_names(env):
        try:
            tree = _PARSER.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001, S112 - unreadable or invalid: check_templates reports it
            continue
        for _, _, message in jinja2.ext.extract_from_ast(tree, (*jinja2.ext.GETTEXT_FUNCTIONS, "plural_forms")):
            first = message[0] if isinstance(message, tuple) else message
            if isinstance(first, str):
                found.add(first)
    return found


def check_templates(env: jinja2.Environment) -> list[Problem]:
    """Compile every template up front so all syntax errors are reported together."""
    problems = []
    for name in _template_names(env):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(_display(exc.filename or name), exc.lineno, exc.message or str(exc)))
        except UnicodeDecodeError as exc:
            problems.append(Problem(_display(_file_of(env, name)), None,
                                    f"template is not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8"))
        except (OSError, jinja2.TemplateError) as exc:
            problems.append(Problem(_display(_file_of(env, name)), None, f"cannot read the template: {exc}"))
    return sorted(set(problems))


def _template_names(env: jinja2.Environment) -> list[str]:
    """The templates a build checks and reads for words to translate: files named as templates
    (TEMPLATE_SUFFIXES), and any other that one of them includes, imports or extends (a
    ``partials/banner.inc``). Hidden files are not templates: an editor's lock or backup
    (``.#story.html``) or a copy's ``._base.html`` would otherwise fail the build."""
    listed = set(env.list_templates(filter_func=lambda n: not any(part.startswith(".") for part in n.split("/"))))
    names = {n for n in listed if n.endswith(TEMPLATE_SUFFIXES)}
    todo = sorted(names)
    while todo:
        try:
            source = env.loader.get_source(env, todo.pop())[0]  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001, S112 - unreadable: check_templates reports it
            continue
        for used in _templates_used(source) or ():
            if used in listed and used not in names:
                names.add(used)
                todo.append(used)
    return sorted(names)


def _file_of(env: jinja2.Environment, name: str) -> str:
    """The file the loader reads template ``name`` from, else the name itself."""
    for loader in getattr(env.loader, "loaders", [env.loader]):
        for folder in getattr(loader, "searchpath", ()):
            candidate = Path(folder) / name
            if candidate.is_file():
                return str(candidate)
    return name


def template_versions(env: jinja2.Environment, names: Iterable[str]) -> dict[str, str]:
    """The version of each template in ``names``: a hash of its source and of every template
    it extends, includes or imports, through any depth. A page whose template's version is
    unchanged renders as before, so editing story.html re-renders story pages, not articles.
    A template that names another by a variable could reach any: its version covers all.
    Only templates reached from ``names`` are parsed."""
    sources: dict[str, str] = {}
    for name in env.list_templates():
        try:
            sources[name] = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - unreadable (check_templates reports it)
            sources[name] = "\0unreadable"

    def version(reached: Iterable[str]) -> str:
        text = "".join(f"{n}\0{sources.get(n, '')}\0" for n in sorted(reached))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    versions = {}
    for name in names:
        reached: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in reached or current not in sources:
                continue
            reached.add(current)
            used = _templates_used(sources[current])
            if used is None:
                break
            todo.extend(used)
        else:
            versions[name] = version(reached)
            continue
        versions[name] = version(sources)
    return versions


@functools.lru_cache(maxsize=256)  # the live preview parses each version of a template once, and holds a few
def _templates_used(source: str) -> frozenset[str] | None:
    """The templates ``source`` extends, includes or imports; None when it names one by a
    variable or does not parse (then it may use any)."""
    try:
        found = set(jinja2.meta.find_referenced_templates(_PARSER.parse(source)))
    except jinja2.TemplateError:
        found = {None}
    return None if None in found else frozenset(n for n in found if isinstance(n, str))


def render(env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> str:
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(Problem(_display(exc.filename or template), exc.lineno, exc.message or str(exc))) from None
    except jinja2.TemplateNotFound as exc:  # an include or import names a template that is not there
        path, line = _template_frame(exc, _display(_file_of(env, template)))
        raise TemplateError(Problem(path, line, f"template not found: {exc.name}")) from None
    except RecursionError as exc:  # base.html extending "base.html": itself, not the theme's
        path, line = _template_frame(exc, template)
        name = Path(path).name
        raise TemplateError(Problem(path, line, f"the template extends, includes or imports itself, endlessly: to build on "
                                                f"the theme's {name}, name it \"default/{name}\"")) from None
    except Exception as exc:  # noqa: BLE001 - any failure inside a template is the template's
        path, line = _template_frame(exc, template)
        # base.html fails for one page and not another: say which (the first of them that failed)
        making = f" (making {context['page_path']})" if context.get("page_path") else ""
        raise TemplateError(Problem(path, line, f"{type(exc).__name__}: {exc}{making}")) from None


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    """A link relative to the current page, so the site works under any subpath and from disk.
    ``url("/search/index.html")`` is from the site's root too, not the domain's (as Hugo's relURL
    and Zola's get_url read it); an absolute address (``https://…``, ``//host/…``) is left as it is."""
    if target[:1] == "/":
        if target[:2] == "//":
            return target
        target = target.lstrip("/")
    elif ":" in target and _SCHEME.match(target):
        return target
    return context["root"] + target


_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def _safe_url_filter(value: object) -> str:
    """``href="{{ entry.extra.get('link')|safe_url }}"``: an address from an article as a link
    may have it (relative, http, https, mailto, as Markdown links are kept), else nothing:
    autoescaping keeps a value inside its attribute, but ``javascript:`` runs from there."""
    if value is None:
        return ""
    text = str(value)
    return text if safe_url(text) else ""


# Dates read in the site's words (i18n.Messages.date), whatever the build machine's locale.
def _date_filter(tz: tzinfo, messages: Messages):  # noqa: ANN202
    def date(value: datetime | calendar_date | None) -> str:
        return messages.date(_in_zone(value, tz)) if value else ""

    return date


def _isodate_filter(tz: tzinfo):  # noqa: ANN202
    def isodate(value: datetime | calendar_date | None) -> str:
        if not value:
            return ""
        value = _in_zone(value, tz)
        return iso_text(value) if isinstance(value, datetime) else value.isoformat()

    return isodate


def _in_zone(value: datetime | calendar_date, tz: tzinfo) -> datetime | calendar_date:
    """A moment in the site's zone; a day (``event: 2024-05-01`` in front matter, which YAML
    reads as a date) as it is, a day being the same day in every zone."""
    if not isinstance(value, datetime):
        if isinstance(value, calendar_date):
            return value
        raise TypeError(f"a date or a time is needed, got {type(value).__name__} {str(value)[:40]!r}")
    return in_zone(value, tz)


def _time_tag(isodate, date, datetime_):  # noqa: ANN001, ANN202
    """``time_tag(value)``: ``<time datetime="2021-03-02T11:40:00+00:00">2 March 2021</time>``, or
    nothing for no date; ``exact=True`` adds the time of day. A function rather than a macro:
    an article page lists the date of every other version, and a Jinja macro call costs
    several times as much as the rest of that line."""

    # An article page shows the dates of all its story's versions, so a story of n versions
    # asks for the same n dates n times over: each tag is made once per (rendering) process.
    made: dict[tuple, Markup] = {}

    def time_tag(value: datetime | None, exact: bool = False) -> Markup:
        if not value:
            return Markup("")
        # fold: equal naive times can still fall on either side of a clock change
        key = (value, getattr(value, "fold", 0), exact)
        tag = made.get(key)
        if tag is None:
            iso = isodate(value)  # in the site's zone
            # A date given without a time ("updated: 2019-03-25") is midnight: "00:00" would be invented.
            shown = datetime_(value) if exact and iso[11:19] != "00:00:00" else date(value)
            # (Markup.format runs string.Formatter in Python: slower than the rest of the tag)
            tag = Markup(f'<time datetime="{escape(iso)}">{escape(shown)}</time>')
            if len(made) >= _TIME_TAGS_KEPT:
                made.clear()
            made[key] = tag
        return tag

    return time_tag


_TIME_TAGS_KEPT = 50_000


def _datetime_filter(tz: tzinfo, messages: Messages):  # noqa: ANN202
    """``2 March 2021, 11:40``: the date in the site's words and a 24-hour time, in the site's zone."""

    def datetime_(value: datetime | calendar_date | None) -> str:
        if not value:
            return ""
        value = _in_zone(value, tz)
        return messages.date_and_time(value) if isinstance(value, datetime) else messages.date(value)

    return datetime_


def _template_frame(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The innermost traceback frame inside a template: Jinja maps those to template lines."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(TEMPLATE_SUFFIXES):
            return _display(frame.filename), frame.lineno
    return fallback, None


def _display(filename: str) -> str:
    """A template's file in full (build() names it from the working directory for the user)."""
    return str(Path(filename).resolve())
