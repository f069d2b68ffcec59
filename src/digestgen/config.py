"""The site configuration: ``digestgen.toml``, validated strictly.

Unknown keys are errors (a typo should never be silently ignored), each with the
nearest valid key suggested, and every problem in the file is reported at once.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError, Problem
from .i18n import PLURAL_CATEGORIES, language_tag

CONFIG_FILENAME = "digestgen.toml"
LOCK_FILENAME = ".stories.json"  # the story lock, in the content folder (lock.py)
CACHE_DIRNAME = ".digestgen-cache"  # the build cache, in the site (cache.py)


@dataclass(frozen=True)
class GroupingConfig:
    """Knobs of the story grouping; ``None`` means the algorithm's own default."""

    threshold: float | None = None
    related_threshold: float | None = None


@dataclass(frozen=True)
class Config:
    title: str = "News Digest"
    description: str = ""
    base_url: str = ""
    language: str = "en"
    timezone: str = "UTC"
    page_size: int = 20
    author: str = ""  # the feeds' author; the site title when empty
    feed_size: int = 20  # stories in feed.xml and feed.json
    expire_after_days: int = 0  # leave out entries older than this many days at build time; 0 keeps all
    grouping: GroupingConfig = field(default_factory=GroupingConfig)
    # [translations]: the theme's English text -> the site's words (i18n.py), sorted; a plural's
    # forms are a tuple of (CLDR category, text) pairs. Tuples keep the config hashable.
    translations: tuple[tuple[str, str | tuple[tuple[str, str], ...]], ...] = ()

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Paths:
    """Where a site's parts live. Resolved once, by the CLI or the caller."""

    site: Path
    content: Path
    output: Path
    templates: Path
    static: Path
    config_file: Path
    cache: Path
    files: Path  # published as they are at the output's root (CNAME, favicon.ico, .well-known/)

    @classmethod
    def for_site(
        cls,
        site: Path | str = ".",
        *,
        content: Path | str | None = None,
        output: Path | str | None = None,
        config_file: Path | str | None = None,
        cache: Path | str | None = None,
    ) -> Paths:
        root = Path(site).resolve()
        content_dir = Path(content).resolve() if content else root / "content"
        # The build cache lives in the site, or beside the content folder when that lives elsewhere.
        home = root if content_dir.is_relative_to(root) else content_dir.parent
        return cls(
            site=root,
            content=content_dir,
            output=Path(output).resolve() if output else root / "output",
            templates=root / "templates",
            static=root / "static",
            config_file=Path(config_file).resolve() if config_file else root / CONFIG_FILENAME,
            cache=Path(cache).resolve() if cache else home / CACHE_DIRNAME,
            files=root / "files",
        )

    @property
    def source_folders(self) -> tuple[Path, ...]:
        """The folders whose files a build reads, besides the config file."""
        return (self.content, self.templates, self.static, self.files)

    @property
    def lock_file(self) -> Path:
        return self.content / LOCK_FILENAME


# key -> (expected type(s), human description) for every table
_TOP_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "title": ((str,), "a string"),
    "description": ((str,), "a string"),
    "base_url": ((str,), "an http(s) URL"),
    "language": ((str,), "a language tag such as 'en'"),
    "timezone": ((str,), "an IANA time zone such as 'Europe/Berlin'"),
    "page_size": ((int,), "a whole number"),
    "author": ((str,), "a string"),
    "feed_size": ((int,), "a whole number"),
    "expire_after_days": ((int,), "a whole number (0 keeps every entry)"),
    "grouping": ((dict,), "a table"),
    "translations": ((dict,), "a table of the theme's English text and the site's words for it"),
}
_MINIMUM = {"page_size": 1, "feed_size": 1, "expire_after_days": 0}
_MAXIMUM = {"expire_after_days": 36_500}  # a century: past that, dates before year 1 (0 keeps every entry)
_GROUPING_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "threshold": ((int, float), "a number between 0 and 1, above 0"),
    "related_threshold": ((int, float), "a number between 0 and 1, above 0"),
}


def load_config(path: Path, *, required: bool = False) -> Config:
    """Read ``path``; a missing optional file gives the defaults."""
    if not path.exists():
        if path.is_symlink():  # not "no config": the site would be built with the defaults, as someone else's
            raise ConfigError(Problem(str(path), None, "cannot read config: it is a symlink to nothing"))
        if required:
            raise ConfigError(Problem(str(path), None, "config file not found"))
        return Config()
    if path.exists() and not path.is_file() and not path.is_dir():  # a fifo would wait for a writer for good
        raise ConfigError(Problem(str(path), None, "cannot read config: not a regular file"))
    try:
        data_bytes = path.read_bytes()
        text = data_bytes.decode("utf-8-sig")  # as Windows Notepad saves it, byte order mark first
    except OSError as exc:
        raise ConfigError(Problem(str(path), None, f"cannot read config: {exc}")) from None
    except UnicodeDecodeError as exc:
        line = data_bytes.count(b"\n", 0, exc.start) + 1
        raise ConfigError(Problem(str(path), line, "cannot read config: it is not UTF-8 text (save it as UTF-8)")) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_from_toml_error(exc)
        raise ConfigError(Problem(str(path), line, f"invalid TOML: {exc}")) from None
    except RecursionError:
        raise ConfigError(Problem(str(path), None, "invalid TOML: nested too deeply to read")) from None
    return parse_config(data, source=str(path), text=text)


def parse_config(data: dict[str, Any], *, source: str = CONFIG_FILENAME, text: str = "") -> Config:
    problems: list[Problem] = []

    def problem(key: str, message: str, table: str | None = None) -> None:
        problems.append(Problem(source, _line_of_key(text, key, table), message))

    _check_table(data, _TOP_KEYS, None, problem)
    grouping_data = data.get("grouping", {})
    if isinstance(grouping_data, dict):
        _check_table(grouping_data, _GROUPING_KEYS, "grouping", problem)
        for key in _GROUPING_KEYS:
            value = grouping_data.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not 0 < value <= 1:
                # 0 is not "join everything": the scores divide by it (NaN), and nothing joined at all
                problem(key, f"grouping.{key} must be between 0 and 1, above 0, got {value}", "grouping")

    translations = data.get("translations", {})
    if isinstance(translations, dict):
        for key, value in translations.items():
            message = _translation_problem(key, value)
            if message:
                problem(key, message, "translations")

    language = data.get("language")
    if isinstance(language, str) and language_tag(language) is None:
        problem("language", f"language must be a language tag such as 'en' or 'pt-BR', got {language!r}")

    base_url = data.get("base_url", "")
    wrong_url = base_url_problem(base_url) if isinstance(base_url, str) else None
    if wrong_url:
        problem("base_url", wrong_url)
    timezone = data.get("timezone", "UTC")
    if isinstance(timezone, str):
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problem("timezone", f"unknown time zone {timezone!r} (use an IANA name such as 'Europe/London')")
    for key, least in _MINIMUM.items():
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value < least:
            problem(key, f"{key} must be at least {least}, got {value}")
        if isinstance(value, int) and key in _MAXIMUM and value > _MAXIMUM[key]:
            problem(key, f"{key} must be at most {_MAXIMUM[key]} (0 keeps every entry), got {value}")

    if problems:
        raise ConfigError(problems)

    known = {k: v for k, v in data.items() if k in _TOP_KEYS and k not in ("grouping", "translations")}
    if isinstance(known.get("base_url"), str):
        known["base_url"] = normal_base_url(known["base_url"])
    if isinstance(known.get("language"), str):
        known["language"] = language_tag(known["language"])  # pt_BR is pt-BR in <html lang>
    grouping = GroupingConfig(
        **{k: float(v) for k, v in grouping_data.items() if k in _GROUPING_KEYS}
    )
    return Config(**known, grouping=grouping, translations=_translations(translations))


_FILE_NAME = re.compile(r"\.(?:s?html?|php|aspx?|jsp|xml|json)$", re.IGNORECASE)  # a page's, not a folder's


def base_url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as the site's public address, if anything ("" means none)."""
    if url and not re.match(r"https?://[^/\s?#]+", url):
        return f"base_url must start with http:// or https:// and name a host, got {url!r}"
    if re.search(r"[?#]", url):  # every page's address is made by appending its path
        return f"base_url must be a folder's address, without a query or fragment, got {url!r}"
    if url and "@" in url.split("/", 3)[2]:  # the host part (checked above); never echoed: it may hold a password
        return ("base_url must not hold a user name or password: they would be published in every "
                "page's canonical link, the feeds and the sitemap")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a bracket out of place or a port out of range
    except ValueError as exc:
        return f"base_url must be a web address ({exc}), got {url!r}"
    if _FILE_NAME.search(parts.path):
        return f"base_url must be a folder's address, not a page's (leave out the file name), got {url!r}"
    try:
        normal = normal_base_url(url)
    except UnicodeError:
        return f"base_url names a host that cannot be written in ASCII (IDNA), got {url!r}"
    host = urlsplit(normal).hostname or ""
    if url and not (_HOST.fullmatch(host) or urlsplit(normal).netloc.startswith("[")):
        # it goes into every canonical link and feed ID, and as it is into robots.txt
        return f"base_url must name a valid host (letters, digits, dots and hyphens), got {url!r}"
    return None


_HOST = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


def normal_base_url(url: str) -> str:
    """``url`` ending in one slash, its host in ASCII and its path percent-encoded (a folder
    named "my news" or "café"), as feeds, the sitemap and robots.txt must give addresses."""
    if not url:
        return ""
    scheme, netloc, path, _, _ = urlsplit(url.strip())
    if not netloc.isascii():
        user, at, host_port = netloc.rpartition("@")
        host, colon, port = host_port.partition(":")
        netloc = user + at + host.encode("idna").decode("ascii") + colon + port
    path = quote(path, safe="/%:@!$&'()*+,;=~")
    return urlunsplit((scheme, netloc, path.rstrip("/") + "/", "", ""))


def _translation_problem(key: str, value: Any) -> str | None:
    if isinstance(value, str):
        return _placeholder_problem(key, value, set(_PLACEHOLDER.findall(key)))
    if not isinstance(value, dict):
        return (f"translations.{key!r} must be a string, or for a plural a table of forms "
                f"(one = \"…\", other = \"…\"), got {type(value).__name__} {value!r}")
    unknown = [k for k in value if k not in PLURAL_CATEGORIES]
    if unknown:
        return f"translations.{key!r}: unknown plural form {unknown[0]!r}; the forms are {', '.join(PLURAL_CATEGORIES)}"
    if "other" not in value:
        return f"translations.{key!r}: a plural needs its 'other' form"
    wrong = [k for k, text in value.items() if not isinstance(text, str)]
    if wrong:
        return f"translations.{key!r}.{wrong[0]} must be a string, got {type(value[wrong[0]]).__name__}"
    return next(filter(None, (_placeholder_problem(key, text, {*_PLACEHOLDER.findall(key), "num"}) for text in value.values())), None)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _placeholder_problem(key: str, text: str, given: set[str]) -> str | None:
    """What the page fills into ``text`` is only what it fills into ``key``, the English."""
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - given)
    if unknown:
        offered = ", ".join(f"%({name})s" for name in sorted(given)) or "none"
        return f"translations.{key!r}: %({unknown[0]})s is not filled in here (this text's values: {offered})"
    if "%" in _PLACEHOLDER.sub("", text).replace("%%", ""):
        return f"translations.{key!r}: write a % that is not a value's place as %%, in {text!r}"
    return None


def _translations(data: Any) -> tuple:
    if not isinstance(data, dict):
        return ()
    return tuple(
        (key, value if isinstance(value, str) else tuple(sorted(value.items())))
        for key, value in sorted(data.items())
    )


def _check_table(data, schema, table, problem) -> None:
    prefix = f"{table}." if table else ""
    for key, value in data.items():
        if key not in schema:
            hint = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
            suggestion = f" (did you mean {prefix + hint[0]!r}?)" if hint else ""
            valid = ", ".join(sorted(schema))
            problem(key, f"unknown key {prefix + key!r}{suggestion}; valid keys: {valid}", table)
            continue
        types, described = schema[key]
        if isinstance(value, bool) or not isinstance(value, types):
            problem(key, f"{prefix}{key} must be {described}, got {type(value).__name__} {value!r}", table)


def line_of_key(path: Path, key: str, table: str | None = None) -> int | None:
    """The line of ``key`` (in ``[table]``) in the config file at ``path``, for a message about it."""
    try:
        return _line_of_key(path.read_text(encoding="utf-8-sig"), key, table)
    except (OSError, UnicodeDecodeError):
        return None


def _line_of_key(text: str, key: str, table: str | None) -> int | None:
    """Best-effort line of ``key`` (inside ``[table]`` when given): tomllib keeps no positions."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"\[\s*([^\]]+?)\s*\]$", stripped)
        if header:
            current = header.group(1)
            if table is None and current == key:
                return number
            continue
        if current == table and re.match(rf"[\"']?{re.escape(key)}[\"']?\s*=", stripped):
            return number
        if current is None and table is not None and _holds_key(stripped, table, key):
            return number
    return None


def _holds_key(line: str, table: str, key: str) -> bool:
    """Does a top-level ``line`` set ``key`` of ``table`` as a dotted key (``grouping.threshold = 5``)
    or in an inline table (``grouping = { threshold = 5 }``)?"""
    name, quoted = re.escape(table), rf"[\"']?{re.escape(key)}[\"']?"
    return bool(re.match(rf"{name}\s*\.\s*{quoted}\s*=", line)
                or (re.match(rf"{name}\s*=\s*\{{", line) and re.search(rf"[{{,]\s*{quoted}\s*=", line)))


def _line_from_toml_error(exc: tomllib.TOMLDecodeError) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return lineno
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None
