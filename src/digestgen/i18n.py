"""The theme's words in the site's language.

Templates ask for them the way Jinja's i18n extension has them asked for: ``_("Latest")``,
``ngettext("%(num)s story", "%(num)s stories", n)`` and ``{% trans %}…{% endtrans %}``. The
English text is the key. Each language digestgen ships has a catalogue, ``translations/<lang>.toml``
beside this module, of English text -> its text, or for a plural -> a table of CLDR plural
categories (``one``, ``other``, …); ``en.toml`` lists every message, as the one to translate
from. A site's ``[translations]`` table in digestgen.toml, in the same form, goes over the
catalogue; text found in neither stays English. ``plural_forms(singular, plural)`` gives all of
a message's forms at once, for search.js, which counts in the browser (a tool that extracts
messages, such as Babel, needs it named as a keyword).

As in Jinja's "new style" gettext, a translation is trusted like a template (it comes from the
package or the site's owner) and may hold markup; the values put into it are escaped.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property
from importlib import resources
from typing import Any, Mapping

from markupsafe import Markup, escape

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


# Languages written right to left (their pages get dir="rtl"): Arabic, Hebrew, Persian, Urdu,
# Pashto, Sindhi, Uyghur, Yiddish, Dhivehi, Central Kurdish.
RIGHT_TO_LEFT = frozenset({"ar", "he", "iw", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")  # BCP 47's shape, as <html lang> takes it


def language_tag(text: str) -> str | None:
    """``text`` as a language tag, written with hyphens (``pt_BR`` -> ``pt-BR``), or None
    when it does not have a tag's shape: the config's language and an article's alike."""
    return text.replace("_", "-") if _LANGUAGE_TAG.fullmatch(text) else None


def base_language(tag: str) -> str:
    """``pt-BR`` -> ``pt``: the catalogues are by language, not by region."""
    return tag.replace("_", "-").split("-")[0].lower()


def direction(tag: str) -> str:
    """``rtl`` for a language written right to left, else ``ltr``."""
    return "rtl" if base_language(tag) in RIGHT_TO_LEFT else "ltr"


# CLDR's likely region of a language, for og:locale, which must name one (``en_US``);
# a site whose language names its region (``pt-PT``) says so itself.
_LIKELY_REGION = {
    "ar": "EG", "bg": "BG", "bn": "BD", "ca": "ES", "cs": "CZ", "da": "DK", "de": "DE", "el": "GR",
    "en": "US", "es": "ES", "et": "EE", "fa": "IR", "fi": "FI", "fr": "FR", "he": "IL", "hi": "IN",
    "hr": "HR", "hu": "HU", "id": "ID", "it": "IT", "ja": "JP", "ko": "KR", "lt": "LT", "lv": "LV",
    "ms": "MY", "nb": "NO", "nl": "NL", "pl": "PL", "pt": "BR", "ro": "RO", "ru": "RU", "sk": "SK",
    "sl": "SI", "sr": "RS", "sv": "SE", "th": "TH", "tr": "TR", "uk": "UA", "ur": "PK", "vi": "VN",
    "zh": "CN",
}


def og_locale(tag: str) -> str | None:
    """``en`` -> ``en_US``, ``pt-PT`` -> ``pt_PT``: Open Graph's locale, language_TERRITORY.
    None for a bare language whose region is not known here: a wrong one would be worse."""
    language, *rest = tag.replace("_", "-").split("-")
    # a region is two letters or three digits (zh-Hant-TW: Hant is a script)
    region = next((p.upper() for p in rest if (len(p) == 2 and p.isalpha()) or (len(p) == 3 and p.isdigit())), None)
    region = region or _LIKELY_REGION.get(language.lower())
    return f"{language.lower()}_{region}" if region else None


# CLDR's cardinal plural rules for whole numbers, as the browser's Intl.PluralRules has them
# (search.js counts with those): the languages of the catalogues, and those whose forms a site
# most often gives under [translations]. Any other language: one for 1, else other.
_NO_PLURAL = frozenset({"ja", "zh", "ko", "th", "vi", "id", "ms", "lo", "my", "km", "yue"})
_EAST_SLAVIC = frozenset({"ru", "uk", "be"})
_MILLIONS_MANY = frozenset({"fr", "es", "it", "pt", "ca"})  # "1 million de versions": many


def plural_category(tag: str, n: int) -> str:  # noqa: C901, PLR0911 - one rule per language family
    n, language = abs(n), base_language(tag)
    tens, hundreds = n % 10, n % 100
    if language in _NO_PLURAL:
        return "other"
    if language in _EAST_SLAVIC or language == "pl":
        if n == 1 or (language != "pl" and tens == 1 and hundreds != 11):
            return "one"
        if 2 <= tens <= 4 and not 12 <= hundreds <= 14:
            return "few"
        return "many"
    if language in ("cs", "sk"):
        return "one" if n == 1 else "few" if 2 <= n <= 4 else "other"
    if language in ("hr", "sr", "bs", "sh"):
        return "one" if tens == 1 and hundreds != 11 else "few" if 2 <= tens <= 4 and not 12 <= hundreds <= 14 else "other"
    if language == "lt":
        return "other" if 11 <= hundreds <= 19 else "one" if tens == 1 else "few" if tens >= 2 else "other"
    if language == "lv":
        return "zero" if tens == 0 or 11 <= hundreds <= 19 else "one" if tens == 1 else "other"
    if language in ("ro", "mo"):
        return "one" if n == 1 else "few" if n == 0 or 1 <= hundreds <= 19 else "other"
    if language == "sl":
        return {1: "one", 2: "two", 3: "few", 4: "few"}.get(hundreds, "other")
    if language == "ga":
        return "one" if n == 1 else "two" if n == 2 else "few" if 3 <= n <= 6 else "many" if 7 <= n <= 10 else "other"
    if language == "cy":
        return {0: "zero", 1: "one", 2: "two", 3: "few", 6: "many"}.get(n, "other")
    if language == "mk":
        return "one" if tens == 1 and hundreds != 11 else "other"
    if language == "ar":
        return ("zero", "one", "two")[n] if n < 3 else "few" if 3 <= hundreds <= 10 else "many" if hundreds >= 11 else "other"
    if language == "he":
        return "one" if n == 1 else "two" if n == 2 else "other"
    if language in _MILLIONS_MANY:
        if n in (0, 1) and (language == "fr" or (language == "pt" and tag.lower() != "pt-pt")):
            return "one"  # "0 version": French, and Brazilian Portuguese
        if n == 1:
            return "one"
        return "many" if n and n % 1_000_000 == 0 else "other"
    return "one" if n == 1 else "other"


Text = str | Mapping[str, str]  # a message's text, or its plural forms by category

# Dates are said with messages too, so a site in any language can have its own: the months,
# the order of day, month and year, and how a date is joined to a 24-hour time of day.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
DATE = "%(day)s %(month)s %(year)s"
DATE_AND_TIME = "%(date)s, %(time)s"
MONTH_AND_YEAR = "%(month)s %(year)s"  # an archive month
CALENDAR = (*MONTHS, DATE, DATE_AND_TIME, MONTH_AND_YEAR)


@dataclass(frozen=True)
class Messages:
    """What the site's pages say, in ``language``: its shipped catalogue with the site's
    ``[translations]`` over it, in one ``table`` (English text -> text, or plural forms)."""

    language: str
    table: Mapping[str, Text]

    def gettext(self, message: str, **values: Any) -> str:
        return _filled(self.table.get(message, message), values)

    def gettext_of_value(self, message: object, **values: Any) -> str:
        """``_(entry.source)``: gettext of words a template did not write itself. They are
        translated when the site's words have them, and otherwise escaped, not trusted as
        markup as gettext trusts a template's own words: an outlet named ``<img onerror=…>``
        must not run."""
        text = str(message)
        return self.gettext(text, **values) if text in self.table else _filled(escape(text), values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        values.setdefault("num", n)
        forms = self._forms(singular, plural)
        return _filled(forms.get(plural_category(self._counted_in(singular), n)) or forms["other"], values)

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """Every plural form of a message, by category, with its placeholders left to fill in
        and %% as % (as gettext gives a text with nothing to fill in): for search.js, which
        counts in the browser, by the rules of ``counted_as`` when that is not the page's language."""
        forms = {category: text.replace("%%", "%") for category, text in self._forms(singular, plural).items()}
        if self._counted_in(singular) != self.language:
            forms["counted_as"] = "en"
        return forms

    def _counted_in(self, singular: str) -> str:
        """The language whose plural rules pick a form of ``singular``: a message left in English
        (no translation of it, as on a site in a language digestgen does not ship) counts as
        English does, or a Chinese site would say "1 versions"."""
        return self.language if singular in self.table or base_language(self.language) == "en" else "en"

    def _forms(self, singular: str, plural: str) -> Mapping[str, str]:
        found = self.table.get(singular)
        if isinstance(found, Mapping) and "other" in found:
            return found
        if isinstance(found, str):
            return {"other": found}  # one text for every count, as a site may give it
        return {"one": singular, "other": plural}

    def date(self, value: date | datetime) -> str:
        """``7 May 2021``, ``7. Mai 2021``: a day in the site's words, made without Jinja or
        markup (a 10,000-article build says twenty thousand dates)."""
        months, form = self._calendar[:2]
        return form % {"day": value.day, "month": months[value.month - 1], "year": value.year}

    def date_and_time(self, value: datetime) -> str:
        return self._calendar[2] % {"date": self.date(value), "time": f"{value:%H:%M}"}

    def month_name(self, month: int) -> str:
        return self._calendar[0][month - 1]

    def month_and_year(self, month: int, year: int) -> str:
        return self._calendar[3] % {"month": self.month_name(month), "year": year}

    @cached_property
    def _calendar(self) -> tuple[tuple[str, ...], str, str, str]:
        def text(message: str) -> str:
            found = self.table.get(message, message)
            return found if isinstance(found, str) else found.get("other", message)

        return tuple(text(m) for m in MONTHS), text(DATE), text(DATE_AND_TIME), text(MONTH_AND_YEAR)

    @cached_property
    def fingerprint(self) -> str:
        """Equal for equal messages: the key of templates compiled with them."""
        text = json.dumps([self.language, sorted(self.table.items())], ensure_ascii=False)
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    @property
    def direction(self) -> str:
        """``rtl`` for a language written right to left, else ``ltr``: the pages' ``dir``."""
        return direction(self.language)

    def is_other(self, language: str | None) -> bool:
        """Is text in ``language`` (None: unknown, so the site's) in another language than the site's?"""
        return bool(language) and language.lower() != self.language.lower()

    def lang_attributes(self, language: str | None) -> Markup:
        """`` lang="fr"`` (and `` dir="rtl"`` where the direction differs) for text in
        ``language`` on this site's pages; nothing for text in the site's own language. A
        screen reader then reads a French version with a French voice (WCAG 3.1.2)."""
        if not self.is_other(language):
            return Markup("")
        attributes = Markup(' lang="{}"').format(language)
        if direction(language) != self.direction:
            attributes += Markup(' dir="{}"').format(direction(language))
        return attributes

    def template_globals(self) -> dict[str, Any]:
        """What Jinja's i18n extension expects to find, ``_`` being gettext, and the direction
        the language is written in (``text_direction``)."""
        return {"_": self.gettext, "gettext": self.gettext, "ngettext": self.ngettext, "plural_forms": self.plural_forms,
                "text_direction": self.direction, "og_locale": og_locale(self.language)}


def _filled(text: Text, values: Mapping[str, Any]) -> str:
    if not isinstance(text, str):
        text = text.get("other", "")
    if not values:
        # Jinja writes a literal % in a {% trans %} block as %%; with nothing to fill in,
        # placeholders stay as they are (search.js fills them in itself).
        return Markup(text.replace("%%", "%"))
    return Markup(text) % values


def unknown_outlet(messages: Messages) -> str:
    """What an article that names no outlet (a plain-text one, say) is from, in the site's words."""
    return str(messages.gettext("Unknown outlet"))


def messages_for(language: str, overrides: tuple[tuple[str, Any], ...] = ()) -> Messages:
    """The messages of a site in ``language`` with its ``[translations]`` (config.translations)."""
    return _messages(language, overrides)


def site_messages(config: Any) -> Messages:
    """The messages of the site ``config`` (a config.Config) describes."""
    return _messages(config.language, config.translations)


@cache
def _messages(language: str, overrides: tuple[tuple[str, Any], ...]) -> Messages:
    table: dict[str, Text] = dict(catalogue(base_language(language)))
    for key, value in overrides:
        table[key] = dict(value) if isinstance(value, tuple) else value
    return Messages(language, table)


@cache
def catalogue(language: str) -> Mapping[str, Text]:
    """The shipped translations for ``language`` (a base language such as ``de``; ``en`` has
    every message as itself); none for a language digestgen does not ship."""
    if not (language.isascii() and language.isalpha()):
        return {}  # not a language's name, nor a file's
    source = resources.files(__package__).joinpath("translations", f"{language}.toml")
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def shipped_languages() -> list[str]:
    folder = resources.files(__package__).joinpath("translations")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def unasked(overrides: tuple[tuple[str, Any], ...], asked: set[str]) -> list[tuple[str, str | None]]:
    """The keys of a site's ``[translations]`` that nothing asks for (a typo, or words a theme
    change left behind), each with the nearest key that is asked for, if one is near."""
    asked = asked | set(catalogue("en"))  # en.toml lists every message digestgen's own code and theme use
    return [
        (key, next(iter(difflib.get_close_matches(key, sorted(asked), n=1, cutoff=0.6)), None))
        for key, _ in overrides if key not in asked
    ]
