"""The theme in a real browser: axe-core in headless Chromium finds no serious or critical
accessibility problems on the index, a story page and an article page, in light and dark, at
360 px and 1280 px wide; screenshots of each land in tests/artifacts/. The site is served under
/news/, and search is tried from there. No request may leave the machine.

Needs Debian's ``chromium`` (/usr/bin/chromium), the PyPI ``playwright`` package (never
``playwright install``) and the npm ``axe-core`` package in tests/browser/node:

    npm install --prefix tests/browser/node axe-core
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from conftest import article, browser_unavailable, build_site, write_site
from publisher_site import build_publisher_site

pytestmark = pytest.mark.browser

HERE = Path(__file__).parent
ARTIFACTS = HERE / "artifacts"
CHROMIUM = os.environ.get("DIGESTGEN_CHROMIUM", "/usr/bin/chromium")
AXE_CANDIDATES = [
    Path(os.environ["DIGESTGEN_AXE_JS"]) if os.environ.get("DIGESTGEN_AXE_JS") else None,
    HERE / "browser" / "node" / "node_modules" / "axe-core" / "axe.min.js",
    HERE.parent / "node_modules" / "axe-core" / "axe.min.js",
]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
WIDTHS = (360, 1280)
SCHEMES = ("light", "dark")


def _axe_path() -> Path | None:
    return next((p for p in AXE_CANDIDATES if p and p.is_file()), None)


def _requirements() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the PyPI package playwright is not installed (pip install playwright; never `playwright install`)"
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium, or set DIGESTGEN_CHROMIUM)"
    if _axe_path() is None:
        return "axe-core not found (npm install --prefix tests/browser/node axe-core, or set DIGESTGEN_AXE_JS)"
    return None


_missing = _requirements()
if _missing:
    browser_unavailable(_missing)

from playwright.sync_api import sync_playwright  # noqa: E402


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The publisher site built and served at http://127.0.0.1:PORT/news/."""
    root = tmp_path_factory.mktemp("browser-site")
    build_publisher_site(root / "site")
    www = root / "www"
    shutil.copytree(root / "site" / "output", www / "news")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(www)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/news/", www / "news"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def pages(site_url) -> dict[str, str]:  # noqa: ANN001
    base, folder = site_url
    story = next(p for p in folder.glob("stories/*/index.html") if "quake" in p.parent.name)
    article = next(folder.glob("articles/*quake*/index.html"))
    return {
        "index": base + "index.html",
        "story": base + story.relative_to(folder).as_posix(),
        "article": base + article.relative_to(folder).as_posix(),
    }


def _open(browser, url: str, width: int, scheme: str):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    outside: list[str] = []

    def guard(route) -> None:  # noqa: ANN001
        if urlsplit(route.request.url).hostname == "127.0.0.1" or route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    return context, page, outside, errors


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["index", "story", "article"])
def test_no_serious_accessibility_problems_and_a_screenshot(browser, pages, name: str, width: int, scheme: str):  # noqa: ANN001
    context, page, outside, errors = _open(browser, pages[name], width, scheme)
    try:
        page.add_script_tag(path=str(_axe_path()))
        result = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-{scheme}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        scheme_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    finally:
        context.close()
    bad = [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "\n".join(bad)
    assert overflow <= 0, f"{name} scrolls sideways at {width}px by {overflow}px"
    assert not outside, f"requests left the machine: {outside}"
    assert not errors, errors
    dark = scheme_bg in ("rgb(18, 18, 18)",)
    assert dark == (scheme == "dark"), f"{scheme} scheme shows background {scheme_bg}"


def test_axe_does_find_a_planted_problem(browser, pages):  # noqa: ANN001
    """The check can fail: an image without alt text and an unlabeled field are reported."""
    context, page, _, _ = _open(browser, pages["index"], 1280, "light")
    try:
        page.evaluate("""() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
              + '<input type="text"><p style="color:#bbb;background:#fff">faint</p>');
        }""")
        page.add_script_tag(path=str(_axe_path()))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    found = {v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")}
    assert {"image-alt", "label", "color-contrast"} <= found


def test_search_works_under_a_subpath(browser, pages):  # noqa: ANN001
    context, page, outside, errors = _open(browser, pages["article"], 1280, "light")
    try:
        page.fill("#site-search", "valparaiso tsunami")
        page.press("#site-search", "Enter")
        page.wait_for_selector("#search-results li")
        assert "/news/search/index.html?q=" in page.url
        results = page.locator("#search-results li h2 a")
        assert results.count() >= 3  # the story and both versions
        first = results.first.inner_text()
        assert "quake" in first.lower() or "earthquake" in first.lower()
        status = page.inner_text("#search-status")
        assert "results for" in status
        # prefix search and the live box on the search page
        page.fill("#search-page-q", "sourdo")
        page.wait_for_function("document.querySelectorAll('#search-results li').length === 2")
        assert "bakery" in page.locator("#search-results li h2 a").first.inner_text().lower()
        # the address follows what is typed: Back, Reload and a shared link show the same results
        page.wait_for_function("location.search === '?q=sourdo'")
        assert page.input_value("#site-search") == "sourdo"
        page.reload()
        page.wait_for_function("document.querySelectorAll('#search-results li').length === 2")
        assert page.input_value("#search-page-q") == "sourdo"
        page.fill("#search-page-q", "zzzznothing")
        page.wait_for_function("document.getElementById('search-status').textContent.startsWith('No results')")
        # only words too common to index, or too short: each says what would help
        page.fill("#search-page-q", "the of")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('too common')")
        assert page.inner_text("#search-status") == "“the of” holds only words too common to search for: add one that says more."
        page.fill("#search-page-q", "x")
        page.wait_for_function("document.getElementById('search-status').textContent === 'Type a longer word to search.'")
        # a result opens its page under /news/
        page.fill("#search-page-q", "ferry")
        page.wait_for_selector("#search-results li h2 a")
        page.locator("#search-results li h2 a").first.click()
        page.wait_for_load_state("load")
        assert page.url.startswith(pages["index"].removesuffix("index.html") + "stories/")
        assert "Ferry service" in page.inner_text("h1")
    finally:
        context.close()
    assert not outside and not errors, (outside, errors)


def test_search_works_from_disk(browser, site_url):  # noqa: ANN001
    _, folder = site_url
    url = (folder / "search" / "index.html").as_uri() + "?q=council+turnout"
    context, page, outside, errors = _open(browser, url, 1280, "light")
    try:
        page.wait_for_selector("#search-results li h2 a")
        page.locator("#search-results li h2 a").first.click()
        page.wait_for_load_state("load")
        assert page.url.startswith(folder.as_uri()) and page.url.endswith("/index.html")
        assert "Council election" in page.inner_text("h1")
    finally:
        context.close()
    assert not outside and not errors, (outside, errors)


@pytest.fixture(scope="module")
def multilingual_search(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search page of a site whose articles are in six scripts, built and opened from disk."""
    return _search_page(tmp_path_factory.mktemp("multilingual"), {
        "content/moscow.md": article("В Москве открылась новая станция метро",
                                     "Мэр Москвы открыл станцию в понедельник.", date="2024-05-06", source="Известия",
                                     language="ru"),
        "content/hualien.md": article("台湾花莲发生7.4级强烈地震",
                                      "台湾东部花莲县周三早晨发生里氏7.4级强烈地震，造成至少9人死亡。", date="2024-04-03",
                                      source="新华社"),
        "content/noto.md": article("能登半島で震度7の地震", "石川県能登地方で最大震度7の地震があった。", date="2024-01-01",
                                   source="NHK"),
        "content/munich.md": article("Neuer Bürgermeister in München gewählt", "Die Wahl in München war knapp.",
                                     date="2024-03-10", source="Süddeutsche"),
        "content/athens.md": article("Ισχυρός σεισμός στην Αθήνα", "Ο σεισμός έγινε αισθητός σε όλη την Αθήνα.",
                                     date="2024-02-02", source="Καθημερινή"),
        "content/delhi.md": article("दिल्ली में भारी बारिश", "दिल्ली में आज भारी बारिश हुई।", date="2024-07-01",
                                    source="दैनिक जागरण"),
        "content/zurich.md": article("Neue Straßenbahn in Zürich", "Die Linie fährt ab Montag.", date="2024-08-01",
                                     source="NZZ"),
        "content/cairo.md": article("افتتاح مكتبة جديدة في القاهرة", "افتتحت المكتبة أبوابها أمس.", date="2024-09-01",
                                    source="الأهرام", language="ar"),
        "content/diyarbakir.md": article("Diyarbakır'da eski köprü yıkıldı", "Tarihi köprü dün gece yıkıldı.",
                                         date="2024-10-01", source="Hürriyet"),
        "content/oresund.md": article("Øresundsbroen lukket i blæst", "Broen er lukket.", date="2024-11-01", source="DR"),
    })


def _search_page(folder: Path, files: dict[str, str]) -> Path:
    """The search page of a site of ``files``, built, to open from disk."""
    build_site(write_site(folder, files))
    return folder / "output" / "search" / "index.html"


@pytest.mark.parametrize(("query", "expected"), [
    ("МОСКВЕ", "В Москве открылась новая станция метро"),  # any case
    ("台湾地震", "台湾花莲发生7.4级强烈地震"),  # words that do not stand together in the article
    ("花莲", "台湾花莲发生7.4级强烈地震"),
    ("能登", "能登半島で震度7の地震"),
    ("munchen", "Neuer Bürgermeister in München gewählt"),  # accents folded
    ("Αθηνα", "Ισχυρός σεισμός στην Αθήνα"),
    ("बारिश", "दिल्ली में भारी बारिश"),  # vowel signs are part of words
    ("strassenbahn", "Neue Straßenbahn in Zürich"),  # ß is ss
    ("مَكْتَبَة", "افتتاح مكتبة جديدة في القاهرة"),  # Arabic's vowel marks folded away
    ("diyarbakir", "Diyarbakır'da eski köprü yıkıldı"),  # dotless ı as i: it found nothing
    ("YIKILDI", "Diyarbakır'da eski köprü yıkıldı"),
    ("oresundsbroen", "Øresundsbroen lukket i blæst"),  # ø as o, as slugs spell it
])
def test_search_finds_words_in_every_script(browser, multilingual_search: Path, query: str, expected: str) -> None:  # noqa: ANN001
    titles, languages = _articles_found(browser, multilingual_search, query)
    assert titles == [expected]
    # an article that says its language is marked with it in the results, as on its page
    marked = {"В Москве открылась новая станция метро": "ru", "افتتاح مكتبة جديدة في القاهرة": "ar"}
    assert languages == [marked.get(expected)]


def _articles_found(browser, search_page: Path, query: str) -> tuple[list[str], list[str | None]]:  # noqa: ANN001
    """The titles of the articles ``query`` finds on ``search_page`` (opened from disk), and
    the language each is marked with."""
    context, page, outside, errors = _open(browser, search_page.as_uri() + "?q=" + quote(query), 1280, "light")
    try:
        page.wait_for_function("/result/.test(document.getElementById('search-status').textContent)")
        links = page.locator("#search-results li.is-article h2 a")
        titles, languages = links.all_inner_texts(), [link.get_attribute("lang") for link in links.all()]
    finally:
        context.close()
    assert not outside and not errors, (outside, errors)
    return titles, languages


@pytest.fixture(scope="module")
def english_search(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _search_page(tmp_path_factory.mktemp("plurals"), {
        "content/quake.md": article("Strong earthquake shakes the coast", "The city felt it on Monday.",
                                    date="2024-05-06", source="Coast Times"),
        "content/tax.md": article("Parliament passes reform", "The new tax applies to every company.",
                                  date="2024-05-07", source="Ledger"),
        "content/cash.md": article("Banks run short", "Machines ran out of cash by noon.", date="2024-05-08",
                                   source="Ledger"),
    })


@pytest.mark.parametrize(("query", "expected"), [
    ("earthquake", ["Strong earthquake shakes the coast"]),
    ("earthquakes", ["Strong earthquake shakes the coast"]),  # a plural finds its singular
    ("cities", ["Strong earthquake shakes the coast"]),
    ("companies taxes", ["Parliament passes reform"]),
    ("cases", []),  # the singular is a whole word: "case", not the "cash" it begins
    ("news", []),  # not a plural
    ("constructors", []),  # its singular names what every JavaScript object has: no results, not a broken search
])
def test_an_english_plural_finds_the_singular(browser, english_search: Path, query: str, expected: list) -> None:  # noqa: ANN001
    assert _articles_found(browser, english_search, query)[0] == expected



@pytest.fixture(scope="module")
def reader_search(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _search_page(tmp_path_factory.mktemp("reader"), {
        "content/war.md": article("The war in the north enters its third year", "Fighting went on.", date="2024-05-01",
                                  source="Wire"),
        "content/warnings.md": article("Forecasters issue warnings", "Storms ahead of the war memorial service.",
                                       date="2024-05-09", source="Weather Desk"),
        "content/heat.md": article("Cities brace for heat wave", "Shelters open.", date="2024-05-08", source="Gazette"),
        "content/code.md": article("Compiler ships a new constructor syntax", "Classes get shorter.", date="2024-05-07",
                                   source="Dev Weekly"),
        "content/road.md": article("Residents don't want a new road", "A petition circulates.", date="2024-05-06",
                                   source="Gazette"),
        "content/rally.md": article("Donald Trump speaks at a rally", "Crowds gathered.", date="2024-05-05", source="Wire"),
        "content/economy.md": article("U.S. economy grows 7.4 percent", "Exports rose.", date="2024-05-04", source="Wire"),
        "content/rourke.md": article("O’Rourke’s campaign visits El Paso", "Volunteers knocked on doors.",
                                     date="2024-05-03", source="Texas Tribune"),
    })


@pytest.mark.parametrize(("query", "expected"), [
    ("constructor", ["Compiler ships a new constructor syntax"]),  # not a stop word for being a JavaScript name
    ("constructors", ["Compiler ships a new constructor syntax"]),
    ("city", ["Cities brace for heat wave"]),  # a singular finds its plural in -ies
    # the word itself in a title ranks above a longer word it begins, however new that is
    ("war", ["The war in the north enters its third year", "Forecasters issue warnings"]),
    ("don't", ["Residents don't want a new road"]),  # not "don", which begins "Donald"
    ("U.S.", ["U.S. economy grows 7.4 percent"]),  # an abbreviation's letters are one word
    ("us economy", ["U.S. economy grows 7.4 percent"]),
    ("7.4", ["U.S. economy grows 7.4 percent"]),
    ("o'rourke", ["O’Rourke’s campaign visits El Paso"]),  # either apostrophe, and a possessive
    ("rourke", ["O’Rourke’s campaign visits El Paso"]),  # a part of a name found too
])
def test_search_finds_what_a_reader_asks_for(browser, reader_search: Path, query: str, expected: list) -> None:  # noqa: ANN001
    assert _articles_found(browser, reader_search, query)[0] == expected


@pytest.fixture(scope="module")
def two_letter_search(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site searched as a big one is: its words in shards by their first two letters."""
    from digestgen import search

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "TWO_LETTER_SHARDS_FROM", 1)
        page = _search_page(tmp_path_factory.mktemp("two-letters"), {
            "content/vote.md": article("Council election results are in", "Turnout rose in every ward.",
                                       date="2024-05-06", source="Gazette"),
            "content/quake.md": article("Strong earthquake shakes Sæby", "The city felt it.", date="2024-05-07",
                                        source="Coast Times"),
            "content/metro.md": article("В Москве открылась новая станция метро", "Станция открылась.",
                                        date="2024-05-08", source="Lenta"),
        })
    return page


@pytest.mark.parametrize(("query", "expected"), [
    ("election", ["Council election results are in"]),
    ("elect", ["Council election results are in"]),  # a word begun finds the word, in the same shard
    ("earthquakes", ["Strong earthquake shakes Sæby"]),
    ("sæby", ["Strong earthquake shakes Sæby"]),  # a second letter outside [0-9a-z]: the one-letter shard
    ("москве", ["В Москве открылась новая станция метро"]),
    ("wards turnout", ["Council election results are in"]),
])
def test_a_big_sites_search_finds_what_a_small_sites_does(browser, two_letter_search: Path, query: str,  # noqa: ANN001
                                                          expected: list) -> None:
    assert list(two_letter_search.parent.parent.glob("static/search/terms-el.*.js"))
    assert _articles_found(browser, two_letter_search, query)[0] == expected


def test_search_marks_the_words_it_found_in_each_result(browser, tmp_path: Path) -> None:  # noqa: ANN001
    search_page = _search_page(tmp_path, {
        "content/quake.md": article("Strong <b>earthquake</b> shakes the coast", "The city's earthquakes felt it.",
                                    date="2024-05-06", source="Coast Times"),
    })
    context, page, outside, errors = _open(browser, search_page.as_uri() + "?q=earthquakes+cit", 1280, "light")
    try:
        page.wait_for_function("/result/.test(document.getElementById('search-status').textContent)")
        title = page.locator("#search-results li.is-article h2 a")
        marks = page.locator("#search-results li.is-article mark").all_inner_texts()
        title_text, bold = title.inner_text(), title.locator("b").count()
    finally:
        context.close()
    # the plural's singular and the word begun are marked, in the title and the snippet, and
    # the title's markup stays text
    assert marks == ["earthquake", "city's", "earthquakes"]  # a possessive marked with its word
    assert title_text == "Strong <b>earthquake</b> shakes the coast" and bold == 0
    assert not outside and not errors, (outside, errors)


def test_search_ranks_an_old_title_match_above_every_newer_body_match(browser, tmp_path: Path) -> None:  # noqa: ANN001
    """Ranking once looked at the newest 500 hits only: an older article titled with the query
    was lost behind hundreds that merely mention it."""
    files = {f"content/n{n:03}.md": article(f"Council notice {n}", f"The harbour office posted notice {n}.",
                                             date=f"2021-{n % 12 + 1:02}-{n % 28 + 1:02}", source="Gazette")
             for n in range(520)}
    files["content/old.md"] = article("Harbour reopens after the storm", "Boats are back.", date="2019-01-05",
                                      source="Coast Times")
    search_page = _search_page(tmp_path, files)
    titles, _ = _articles_found(browser, search_page, "harbour")
    assert titles[0] == "Harbour reopens after the storm", titles[:3]
    # 50 at a time, and the rest on asking
    context, page, outside, errors = _open(browser, search_page.as_uri() + "?q=harbour", 1280, "light")
    try:
        page.wait_for_function("document.querySelectorAll('#search-results li').length === 50")
        total = int(page.inner_text("#search-status").split()[0])
        page.focus("#search-more")
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelectorAll('#search-results li').length === 100")
        status = page.inner_text("#search-status")
        # the button is replaced: focus goes on to the first new result, not back to the page's start
        focused = page.evaluate("""() => [...document.querySelectorAll('#search-results li')]
            .indexOf(document.activeElement.closest('li'))""")
    finally:
        context.close()
    assert total > 500 and status == f"{total} results for “harbour”, showing the best 100."
    assert focused == 50
    assert not outside and not errors, (outside, errors)

@pytest.mark.parametrize(("language", "query", "expected", "translations"), [
    ("fr", "turnout", "{n} résultat{s} pour «\u00a0turnout\u00a0».", ""),
    ("de", "sourdough", "{n} Treffer für „sourdough“.", ""),
    ("fr", "zanzibar", "Aucun résultat pour «\u00a0zanzibar\u00a0».", ""),
    ("de", "zanzibar", "100 % umsonst: „zanzibar“", '"No results for “%(query)s”." = "100 %% umsonst: „%(query)s“"'),
    # a language digestgen does not ship: English words, counted as English counts (not "1 results")
    ("zh", "warning", "1 result for “warning”.", ""),
])
def test_search_speaks_the_site_language(browser, tmp_path: Path, language: str, query: str, expected: str,  # noqa: ANN001
                                         translations: str) -> None:
    from publisher_site import CONFIG

    config = CONFIG.replace('language = "en"', f'language = "{language}"')
    build_publisher_site(tmp_path, config=config + (f"\n[translations]\n{translations}\n" if translations else ""))
    url = (tmp_path / "output" / "search" / "index.html").as_uri() + "?q=" + quote(query)
    context, page, outside, errors = _open(browser, url, 1280, "light")
    try:
        page.wait_for_function("/\\d|Aucun|umsonst/.test(document.getElementById('search-status').textContent)")
        found = len(page.locator("#search-results li").all())
        status = page.inner_text("#search-status")
        kinds = {k.text_content() for k in page.locator("#search-results .is-story .result-kind").all()}
    finally:
        context.close()
    # a story among the results says so in the site's words
    assert kinds == ({"Sujet · "} if query == "turnout" else {"Meldung · "} if query == "sourdough" else set())
    # the count's plural form is the browser's (Intl.PluralRules), by the page's language
    assert status == expected.format(n=found, s="s" if found > 1 else ""), status
    assert not outside and not errors, (outside, errors)


def test_a_right_to_left_site_is_laid_out_right_to_left(browser, tmp_path: Path) -> None:  # noqa: ANN001
    from publisher_site import CONFIG

    config = CONFIG.replace('language = "en"', 'language = "ar"') + '\n[translations]\n"Latest" = "الأحدث"\n'
    write_site(tmp_path, {"content/quote.md": article(
        "زلزال قوي يضرب الساحل", "قال المسؤولون إن الزلزال كان قوياً.\n\n> هذا اقتباس من البيان.", date="2021-05-20", source="الجزيرة")})
    build_publisher_site(tmp_path, config=config)
    quoting = [p for p in (tmp_path / "output" / "articles").glob("*/index.html") if "<blockquote>" in p.read_text(encoding="utf-8")]
    assert len(quoting) == 1
    context, page, outside, errors = _open(browser, quoting[0].as_uri(), 1280, "light")
    try:
        found = page.evaluate("""() => {
            const title = document.querySelector('.site-title').getBoundingClientRect();
            const quote = getComputedStyle(document.querySelector('.article .body blockquote'));
            return {dir: document.documentElement.dir, titleRight: title.right, width: innerWidth,
                    quoteRight: quote.borderRightWidth, quoteLeft: quote.borderLeftWidth,
                    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
        }""")
        page.add_script_tag(path=str(_axe_path()))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "article-rtl-1280-light.png"), full_page=True)
    finally:
        context.close()
    assert found["dir"] == "rtl"
    assert found["titleRight"] > found["width"] * 0.75  # the masthead starts at the right
    assert (found["quoteRight"], found["quoteLeft"]) == ("3px", "0px")  # a quotation's rule on its leading side
    assert found["overflow"] <= 0
    assert not [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not outside and not errors, (outside, errors)


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "it", "pt", "pt-PT", "nl", "sv", "ru", "uk", "pl", "cs",
                                      "ar", "he", "ja", "zh", "hr", "sr", "bs", "lt", "lv", "ro", "sl", "ga", "cy", "mk"])
def test_a_count_takes_the_plural_form_the_browser_gives_it(browser, language: str) -> None:  # noqa: ANN001
    """Pages count in Python (i18n.plural_category), search.js with the browser's Intl.PluralRules:
    "21 статья" must read the same on a story page and in search results."""
    from digestgen.i18n import plural_category

    numbers = [*range(130), 1_000_000, 1_000_001, 2_000_000]
    context = browser.new_context()
    try:
        theirs = context.new_page().evaluate(
            "([language, numbers]) => numbers.map(n => new Intl.PluralRules(language).select(n))", [language, numbers])
    finally:
        context.close()
    assert [plural_category(language, n) for n in numbers] == theirs


@pytest.fixture(scope="module")
def sites_in_every_language(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from publisher_site import CONFIG

    from digestgen.i18n import shipped_languages

    sites = {}
    for language in shipped_languages():
        root = tmp_path_factory.mktemp(f"site-{language}")
        build_publisher_site(root, config=CONFIG.replace('language = "en"', f'language = "{language}"'))
        sites[language] = root / "output"
    return sites


@pytest.mark.parametrize("language", ["de", "fr", "es", "it", "pt", "nl"])
def test_every_language_fits_a_phone_screen(browser, sites_in_every_language: dict[str, Path], language: str) -> None:  # noqa: ANN001
    """Longer words than English ("Pfadnavigation", "Rechercher") must not push any page sideways."""
    out = sites_in_every_language[language]
    story = next(p for p in out.glob("stories/*/index.html") if "quake" in p.parent.name)
    for page_file in (out / "index.html", story, out / "search" / "index.html", out / "archive" / "index.html"):
        context, page, outside, errors = _open(browser, page_file.as_uri(), 360, "light")
        try:
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if page_file == story:
                page.screenshot(path=str(ARTIFACTS / f"story-{language}-360-light.png"), full_page=True)
        finally:
            context.close()
        assert overflow <= 0, f"{page_file.relative_to(out)} scrolls sideways at 360px by {overflow}px"
        assert not outside and not errors, (outside, errors)



def test_long_words_code_and_tables_stay_inside_a_phone_screen(browser, tmp_path: Path) -> None:  # noqa: ANN001
    """A bare address, a long inline code or word, a wide table or a code block: the page must not
    scroll sideways, and what scrolls in its own box must be reachable by keyboard."""
    long_url = "http://www.mayohealth.org/mayo/0002/htm/nontraditional-treatments-for-arthritis-and-joint-pain.htm"
    table = "| " + " | ".join(f"Column {n}" for n in range(7)) + " |\n|" + "---|" * 7 + "\n| " + " | ".join(
        f"value-{n}-wide" for n in range(7)) + " |"
    body = (f"The clinic's site: {long_url} has more. Use `{'x' * 90}` with "
            f"Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen.\n\n{table}\n\n"
            "```\n" + "wide_code_line = " + "1" * 150 + "\n```")
    build_site(write_site(tmp_path, {"content/wide.md": article(f"Supplements and {long_url}", body, date="2021-03-01",
                                                                source="Health Desk")}))
    out = tmp_path / "output"
    for page_file in (out / "index.html", next(out.glob("articles/*/index.html")), next(out.glob("stories/*/index.html"))):
        context, page, outside, errors = _open(browser, page_file.as_uri(), 360, "light")
        try:
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            page.add_script_tag(path=str(_axe_path()))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            page.emulate_media(media="print")
            cut = page.evaluate("""() => [...document.querySelectorAll('.body pre')]
                .some(pre => pre.scrollWidth > pre.clientWidth + 1)""")
        finally:
            context.close()
        assert overflow <= 0, f"{page_file.relative_to(out)} scrolls sideways at 360px by {overflow}px"
        assert not [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")], page_file
        assert not cut, "a code block loses its end on paper"
        assert not outside and not errors, (outside, errors)


def test_a_right_to_left_outlet_name_keeps_its_count_after_it(browser, tmp_path: Path) -> None:  # noqa: ANN001
    """On an English site, "الجزيرة" followed by "1 article in 1 story": unisolated, the count's
    digit joined the Arabic run and showed before the name."""
    build_site(write_site(tmp_path, {"content/a.md": article("Quake strikes", "It shook.", date="2021-03-01",
                                                             source="الجزيرة", tags=["زلزال"])}))
    for listing, item in (("sources", "li"), ("tags", "li")):
        context, page, outside, errors = _open(browser, (tmp_path / "output" / listing / "index.html").as_uri(), 1280, "light")
        try:
            order = page.evaluate("""(item) => {
                const li = document.querySelector('main ' + item);
                const name = li.querySelector('a').getBoundingClientRect(), meta = li.querySelector('.meta');
                const range = document.createRange(); range.selectNodeContents(meta);
                return [name.right, range.getBoundingClientRect().left];
            }""", item)
        finally:
            context.close()
        assert order[0] <= order[1], f"{listing}: the count shows before the name"
        assert not outside and not errors, (outside, errors)

def test_story_pages_print_without_navigation(browser, pages):  # noqa: ANN001
    context, page, _, _ = _open(browser, pages["story"], 1280, "dark")
    try:
        page.emulate_media(media="print")
        hidden = page.evaluate("""() => ['.site-header', '.site-footer', '.breadcrumb']
            .map(s => getComputedStyle(document.querySelector(s)).display)""")
        colors = page.evaluate("getComputedStyle(document.body).color")
        pdf = page.pdf(format="A4")
    finally:
        context.close()
    assert hidden == ["none", "none", "none"]
    assert colors == "rgb(0, 0, 0)"
    assert pdf.startswith(b"%PDF")


def test_the_search_page_on_a_phone_and_on_paper(browser, pages):  # noqa: ANN001
    """At 320 px the Search buttons keep their word whole (it broke as "Searc/h"); the header's
    and the page's search forms are told apart by name; printed from the dark scheme, the
    highlights are light and the form is left off."""
    search = pages["index"].removesuffix("index.html") + "search/index.html?q=valparaiso"
    context, page, outside, errors = _open(browser, search, 320, "dark")
    try:
        page.wait_for_selector("#search-results li mark")
        heights = page.evaluate("() => [...document.querySelectorAll('form button')].map(b => b.getBoundingClientRect().height)")
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('form button')).lineHeight) || 24")
        page.add_script_tag(path=str(_axe_path()))
        landmarks = page.evaluate("async () => (await axe.run(document, {runOnly: ['landmark-unique']})).violations")
        page.emulate_media(media="print")
        printed = page.evaluate("""() => [getComputedStyle(document.querySelector('#search-results mark')).backgroundColor,
                                          getComputedStyle(document.querySelector('.search-page-form')).display]""")
    finally:
        context.close()
    assert len(heights) == 2 and all(h < 2 * line for h in heights), (heights, line)
    assert landmarks == []
    assert printed == ["rgb(253, 238, 176)", "none"]
    assert not outside and not errors, (outside, errors)
