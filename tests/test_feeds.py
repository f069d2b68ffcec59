"""Feeds, sitemap and robots.txt: parsed as a feed reader and a crawler would, checked against
RFC 4287 (Atom), JSON Feed 1.1 and the sitemaps.org schema shipped in tests/sitemap.xsd."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from conftest import article, build_site, run_cli, snapshot, write_site
from publisher_site import CONFIG, NOW, build_publisher_site, publisher_files

from digestgen.build import build
from digestgen.config import Paths

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XSD = Path(__file__).with_name("sitemap.xsd")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    build_publisher_site(tmp_path)
    return tmp_path / "output"


def atom(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    return root


def check_atom_required(feed: ET.Element) -> None:
    """RFC 4287 section 4.1.1 and 4.1.2: what every feed and entry must carry."""
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, f"feed needs exactly one atom:{name}"
        assert (feed.findtext(f"{ATOM}{name}") or "").strip()
    assert RFC3339.match(feed.findtext(f"{ATOM}updated"))
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids), "entry ids must be unique"
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"entry needs exactly one atom:{name}"
        assert entry.findtext(f"{ATOM}id").startswith(("https://", "tag:digestgen.invalid,1970:"))
        assert RFC3339.match(entry.findtext(f"{ATOM}updated")), entry.findtext(f"{ATOM}updated")
        published = entry.findtext(f"{ATOM}published")
        if published:
            assert RFC3339.match(published)
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        alternates = [l for l in entry.findall(f"{ATOM}link") if l.get("rel", "alternate") == "alternate"]
        assert len(alternates) == 1 and alternates[0].get("href")
        # Without atom:content carrying the text, an entry needs a summary (4.1.1.1) - we send content.
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") in ("html", "text") and content.text


def test_atom_feed_has_every_required_element(site: Path):
    feed = atom(site / "feed.xml")
    check_atom_required(feed)
    assert feed.findtext(f"{ATOM}title") == "The Morning Digest"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "The Digest Desk"
    links = {l.get("rel"): l.get("href") for l in feed.findall(f"{ATOM}link")}
    assert links["self"] == "https://news.example.org/news/feed.xml"
    assert links["alternate"] == "https://news.example.org/news/"
    entries = feed.findall(f"{ATOM}entry")
    # newest first; draft and future-dated articles are left out
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[:2] == ["Town bakery wins national prize for sourdough loaf",
                          "Council election turnout highest in twenty years"]
    assert not any("Draft" in t or "festival" in t for t in titles)
    quake = next(e for e in entries if "quake" in e.findtext(f"{ATOM}title").lower())
    href = quake.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert href.startswith("https://news.example.org/news/stories/") and href.endswith("/")
    assert quake.findtext(f"{ATOM}id") == href  # the story's permanent address
    assert feed.findtext(f"{ATOM}id") == "https://news.example.org/news/feed.xml"
    # the quake story has two versions, both listed in its content
    assert quake.findtext(f"{ATOM}content").count("<li>") == 2


def test_feed_size_limits_the_feeds(tmp_path: Path):
    build_publisher_site(tmp_path, config=CONFIG + "feed_size = 2\n")
    assert len(atom(tmp_path / "output" / "feed.xml").findall(f"{ATOM}entry")) == 2
    data = json.loads((tmp_path / "output" / "feed.json").read_text(encoding="utf-8"))
    assert len(data["items"]) == 2


def test_every_story_has_its_own_atom_feed(site: Path):
    stories = json.loads((site / "digest.json").read_text(encoding="utf-8"))["stories"]
    assert stories
    for story in stories:
        feed = atom(site / "stories" / story["slug"] / "feed.xml")
        check_atom_required(feed)
        assert len(feed.findall(f"{ATOM}entry")) == len(story["entries"])
        page = (site / story["url"]).read_text(encoding="utf-8")
        assert 'rel="alternate" type="application/atom+xml"' in page and f'href="../../stories/{story["slug"]}/feed.xml"' in page


def test_json_feed_has_the_required_fields(site: Path):
    data = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(data["title"], str) and data["title"]
    assert data["home_page_url"] == "https://news.example.org/news/"
    assert data["feed_url"] == "https://news.example.org/news/feed.json"
    assert isinstance(data["items"], list) and data["items"]
    ids = [item["id"] for item in data["items"]]
    assert len(set(ids)) == len(ids)
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html") or item.get("content_text"), str)
        assert item["url"].startswith("https://news.example.org/news/stories/")
        for key in ("date_published", "date_modified"):
            if key in item:
                assert RFC3339.match(item[key])
    # the same story has the same id in both feeds
    atom_ids = [e.findtext(f"{ATOM}id") for e in atom(site / "feed.xml").findall(f"{ATOM}entry")]
    assert ids == atom_ids


def test_entry_ids_stay_when_a_story_gains_a_source_and_updated_moves(tmp_path: Path):
    base = {
        "digestgen.toml": CONFIG,
        "content/quake-andes.md": article(
            "Magnitude 6.8 earthquake strikes off Valparaiso", "A strong earthquake struck off Valparaiso.",
            date="2021-03-02 09:15", source="Andes Wire", story="valparaiso-quake"),
    }
    write_site(tmp_path, base)
    build(Paths.for_site(tmp_path), now=NOW)
    before = atom(tmp_path / "output" / "feed.xml").find(f"{ATOM}entry")
    write_site(tmp_path, {"content/quake-pacific.md": article(
        "Strong quake rattles Valparaiso", "A strong quake rattled Valparaiso on Tuesday evening.",
        date="2021-03-02 19:40", source="Pacific Daily", story="valparaiso-quake")})
    build(Paths.for_site(tmp_path), now=NOW)
    after = atom(tmp_path / "output" / "feed.xml").find(f"{ATOM}entry")
    assert after.findtext(f"{ATOM}id") == before.findtext(f"{ATOM}id") == \
        "https://news.example.org/news/stories/valparaiso-quake/"
    assert after.findtext(f"{ATOM}updated") > before.findtext(f"{ATOM}updated")
    assert after.findtext(f"{ATOM}published") == before.findtext(f"{ATOM}published")
    assert after.findtext(f"{ATOM}updated") == "2021-03-02T19:40:00+00:00"  # Europe/London in winter
    # an earlier version arriving moves the story's first date, not its id or its feed's
    story_feed = tmp_path / "output" / "stories" / "valparaiso-quake" / "feed.xml"
    feed_id = atom(story_feed).findtext(f"{ATOM}id")
    write_site(tmp_path, {"content/quake-early.md": article(
        "Quake felt in Valparaiso overnight", "A quake was felt in Valparaiso.",
        date="2021-03-01 23:50", source="Night Desk", story="valparaiso-quake")})
    build(Paths.for_site(tmp_path), now=NOW)
    earliest = atom(tmp_path / "output" / "feed.xml").find(f"{ATOM}entry")
    assert earliest.findtext(f"{ATOM}published") == "2021-03-01T23:50:00+00:00"
    assert earliest.findtext(f"{ATOM}id") == after.findtext(f"{ATOM}id")
    assert atom(story_feed).findtext(f"{ATOM}id") == feed_id == "https://news.example.org/news/stories/valparaiso-quake/feed.xml"


def test_sitemap_validates_against_the_sitemaps_org_schema(site: Path):
    xmlschema = pytest.importorskip("xmlschema", reason="the sitemap test needs the xmlschema package")
    schema = xmlschema.XMLSchema(str(XSD))
    schema.validate(str(site / "sitemap.xml"))
    locs = [u.findtext(f"{SITEMAP}loc") for u in ET.parse(site / "sitemap.xml").getroot()]
    assert locs[0] == "https://news.example.org/news/"
    assert all(loc.startswith("https://news.example.org/news/") for loc in locs)
    assert not any("404" in loc or "search" in loc for loc in locs)
    # every HTML page but the 404 and search pages is listed
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"404.html", "search/index.html"}
    assert {"https://news.example.org/news/" + p.removesuffix("index.html") for p in pages} == set(locs)
    lastmods = [u.findtext(f"{SITEMAP}lastmod") for u in ET.parse(site / "sitemap.xml").getroot()]
    assert all(m and RFC3339.match(m) for m in lastmods)


def test_past_the_protocols_limit_the_sitemap_is_an_index_of_sitemaps_listing_every_page(tmp_path: Path, monkeypatch):
    """At 50,000 pages the sitemap was cut off without a word: a 50k site's story pages were
    all left out. (The limit is lowered here, as 50,000 pages take minutes to build.)"""
    xmlschema = pytest.importorskip("xmlschema", reason="the sitemap test needs the xmlschema package")
    from digestgen import sitemap

    monkeypatch.setattr(sitemap, "MAX_URLS", 7)
    build_publisher_site(tmp_path)
    site = tmp_path / "output"
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = [s.findtext(f"{SITEMAP}loc") for s in index]
    assert len(parts) >= 2 and parts[0] == "https://news.example.org/news/sitemap-1.xml"
    assert all(RFC3339.match(s.findtext(f"{SITEMAP}lastmod")) for s in index)
    schema, locs = xmlschema.XMLSchema(str(XSD)), []
    for part in parts:
        name = part.removeprefix("https://news.example.org/news/")
        schema.validate(str(site / name))
        found = [u.findtext(f"{SITEMAP}loc") for u in ET.parse(site / name).getroot()]
        assert 0 < len(found) <= 7
        locs += found
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"404.html", "search/index.html"}
    assert sorted("https://news.example.org/news/" + p.removesuffix("index.html") for p in pages) == sorted(locs)
    assert len(locs) == len(set(locs))


def test_the_schema_rejects_a_broken_sitemap(tmp_path: Path):
    xmlschema = pytest.importorskip("xmlschema", reason="the sitemap test needs the xmlschema package")
    bad = tmp_path / "bad.xml"
    bad.write_text('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>x</loc>'
                   "<lastmod>yesterday</lastmod></url></urlset>", encoding="utf-8")
    assert not xmlschema.XMLSchema(str(XSD)).is_valid(str(bad))


def test_robots_txt_points_to_the_sitemap(site: Path):
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://news.example.org/news/sitemap.xml" in robots.splitlines()


def test_without_base_url_the_build_warns_and_links_stay_relative(tmp_path: Path):
    result = build_publisher_site(tmp_path, config=CONFIG.replace('base_url = "https://news.example.org/news/"\n', ""))
    assert any("base_url" in w.message and w.severity == "warning" for w in result.warnings)
    out = tmp_path / "output"
    feed = atom(out / "feed.xml")
    check_atom_required(feed)
    hrefs = [l.get("href") for l in feed.iter(f"{ATOM}link")]
    assert hrefs and not any("://" in h for h in hrefs)
    assert feed.findtext(f"{ATOM}entry/{ATOM}id").startswith("tag:digestgen.invalid,")
    for href in hrefs:
        assert (out / href).is_file(), href
    story_feed = next(out.glob("stories/*/feed.xml"))
    for link in atom(story_feed).iter(f"{ATOM}link"):
        if link.get("rel") in ("self", "alternate"):
            assert (story_feed.parent / link.get("href")).resolve().is_file()
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert all((out / item["url"]).is_file() for item in items)
    assert not (out / "sitemap.xml").exists()  # the protocol allows absolute addresses only
    assert "Sitemap:" not in (out / "robots.txt").read_text(encoding="utf-8").replace("# Sitemap:", "")
    assert 'rel="canonical"' not in (out / "index.html").read_text(encoding="utf-8")


def test_future_entries_wait_for_their_date_unless_asked(tmp_path: Path):
    build_publisher_site(tmp_path)
    titles = {e["title"] for s in json.loads((tmp_path / "output" / "digest.json").read_text())["stories"] for e in s["entries"]}
    assert "Summer festival line-up to be announced" not in titles
    build_publisher_site(tmp_path, future=True)
    titles = {e["title"] for s in json.loads((tmp_path / "output" / "digest.json").read_text())["stories"] for e in s["entries"]}
    assert "Summer festival line-up to be announced" in titles
    build_publisher_site(tmp_path, now=datetime.fromisoformat("2021-07-02T00:00:00+00:00"))
    titles = {e["title"] for s in json.loads((tmp_path / "output" / "digest.json").read_text())["stories"] for e in s["entries"]}
    assert "Summer festival line-up to be announced" in titles


def test_expire_after_days_leaves_out_old_entries(tmp_path: Path):
    build_publisher_site(tmp_path, config=CONFIG + "expire_after_days = 30\n")
    titles = {e["title"] for s in json.loads((tmp_path / "output" / "digest.json").read_text())["stories"] for e in s["entries"]}
    assert titles == {"Council election turnout highest in twenty years", "Town bakery wins national prize for sourdough loaf"}


def test_dates_carry_offsets_and_show_in_the_site_language(tmp_path: Path):
    build_publisher_site(tmp_path, config=CONFIG.replace('language = "en"', 'language = "de"'))
    page = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2021-05-07T22:30:00+01:00">7. Mai 2021</time>' in page


def test_a_language_change_shows_in_the_next_build_of_the_same_process(tmp_path: Path):
    # The renderer remembers the date tags it made; a new language must not get the old ones.
    build_publisher_site(tmp_path)
    assert ">7 May 2021</time>" in (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    build_publisher_site(tmp_path, config=CONFIG.replace('language = "en"', 'language = "de"'))
    page = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert ">7. Mai 2021</time>" in page and "May 2021" not in page


def test_identical_input_gives_identical_bytes(tmp_path: Path):
    one, two = tmp_path / "one", tmp_path / "two"
    build_publisher_site(one)
    build_publisher_site(two, now=datetime.fromisoformat("2021-06-20T00:00:00+00:00"))
    first, second = snapshot(one / "output"), snapshot(two / "output")
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], name


def test_feeds_stay_well_formed_xml_whatever_characters_an_article_holds(tmp_path: Path):
    # A raw form feed is whitespace to HTML, and so is "&#12;"; U+FFFF is valid UTF-8. XML 1.0
    # allows none of them, and one makes a feed reader refuse the whole feed.
    write_site(tmp_path, {"content/paging.md": article(
        "Council minutes published", "Page one ends here.\fPage two &#12; begins \uffff here.",
        date="2021-03-01", source="Gazette")})
    build(Paths.for_site(tmp_path))
    out = tmp_path / "output"
    feeds = [out / "feed.xml", *out.glob("stories/*/feed.xml")]
    assert len(feeds) == 2
    for path in feeds:
        texts = [" ".join(c.text.split()) for c in atom(path).iter(f"{ATOM}content")]  # atom() parses
        assert any("Page one ends here. Page two begins here." in text for text in texts), texts  # U+FFFF dropped on reading


def test_base_url_given_on_the_command_line_wins_for_that_build(tmp_path: Path):
    write_site(tmp_path, publisher_files(CONFIG))
    preview = run_cli("build", "--site", str(tmp_path), "--future", "--base-url", "https://preview-42.example.net/")
    assert preview.returncode == 0, preview.stderr
    sitemap = (tmp_path / "output" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://preview-42.example.net/stories/" in sitemap and "news.example.org" not in sitemap
    assert '<link rel="canonical" href="https://preview-42.example.net/">' in (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    # the next build without it is not mistaken for "nothing changed"
    again = run_cli("build", "--site", str(tmp_path), "--future")
    assert "Nothing changed" not in again.stderr
    assert "https://news.example.org/news/" in (tmp_path / "output" / "sitemap.xml").read_text(encoding="utf-8")
    bad = run_cli("build", "--site", str(tmp_path), "--base-url", "preview.example.net")
    assert bad.returncode == 2
    assert "--base-url: the address must start with http:// or https:// and name a host, got 'preview.example.net'" in bad.stderr
    empty = run_cli("build", "--site", str(tmp_path), "--base-url", "")  # an unset CI variable
    assert empty.returncode == 2 and "--base-url: the address is empty" in empty.stderr


def test_a_storys_categories_name_each_tag_once_whatever_its_case(tmp_path: Path):
    write_site(tmp_path, {
        "digestgen.toml": CONFIG,
        "content/a.md": article("Budget passes", "It passed.", date="2021-03-01", source="One", story="budget",
                                tags=["Politics", "EU"]),
        "content/b.md": article("Budget vote won", "It won.", date="2021-03-01", source="Two", story="budget",
                                tags=["politics"]),
    })
    build(Paths.for_site(tmp_path), now=NOW)
    entry = atom(tmp_path / "output" / "feed.xml").find(f"{ATOM}entry")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Politics", "EU"]
    item = json.loads((tmp_path / "output" / "feed.json").read_text(encoding="utf-8"))["items"][0]
    assert item["tags"] == ["Politics", "EU"]


def test_a_storys_own_feed_holds_its_newest_versions_up_to_feed_size(tmp_path: Path):
    """A story of 1,000 versions made a 2.9 MB feed, full texts and all."""
    write_site(tmp_path, {
        **{f"content/v{k:02}.md": article(f"Harbour dredging report {k}", "Dredging began.", date=f"2021-05-{k + 1:02}",
                                          source=f"Paper {k:02}", story="harbour-dredging") for k in range(8)},
        "digestgen.toml": "feed_size = 3\n",
    })
    build_site(tmp_path)
    feed = (tmp_path / "output" / "stories" / "harbour-dredging" / "feed.xml").read_text(encoding="utf-8")
    assert re.findall(r"<title>(Harbour dredging report \d)</title>", feed) == [
        "Harbour dredging report 7", "Harbour dredging report 6", "Harbour dredging report 5"]


def test_an_undated_story_is_as_new_as_its_feed_not_from_1970(tmp_path: Path):
    """Atom needs a time on every entry; 1970 sorted undated stories last in feed readers."""
    write_site(tmp_path, {
        "digestgen.toml": CONFIG,
        "content/dated.md": article("Harbour reopens", "Ships sailed.", date="2021-03-01T10:00:00Z", source="One",
                                    story="harbour"),
        "content/undated-version.md": article("Harbour open again", "Ships came.", source="Two", story="harbour"),
        "content/undated.md": article("Library wins award", "Readers cheered.", source="Three", story="library"),
    })
    build(Paths.for_site(tmp_path), now=NOW)
    feed = atom(tmp_path / "output" / "feed.xml")
    updated = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}updated") for e in feed.findall(f"{ATOM}entry")}
    assert updated == {"Harbour reopens": "2021-03-01T10:00:00+00:00", "Library wins award": "2021-03-01T10:00:00+00:00"}
    story = atom(tmp_path / "output" / "stories" / "harbour" / "feed.xml")
    assert {e.findtext(f"{ATOM}updated") for e in story.findall(f"{ATOM}entry")} == {"2021-03-01T10:00:00+00:00"}
    assert "1970" not in (tmp_path / "output" / "feed.xml").read_text(encoding="utf-8")


def test_a_date_before_standard_time_zones_gets_an_offset_in_whole_minutes(tmp_path: Path):
    """New York's offset in 1850 was its local mean time, -04:56:02: RFC 3339, the sitemap's
    xs:dateTime and HTML's datetime take only ±hh:mm, and the sitemap failed its own schema."""
    write_site(tmp_path, {
        "digestgen.toml": 'title = "Gazette"\ntimezone = "America/New_York"\nbase_url = "https://example.org/"\n',
        "content/a.md": article("Railway opens", "The line opened.", date="1850-06-01 12:00", source="Gazette"),
    })
    build(Paths.for_site(tmp_path), now=NOW)
    out = tmp_path / "output"
    everything = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.suffix in (".xml", ".json", ".html"))
    assert not re.search(r"T\d\d:\d\d:\d\d[+-]\d\d:\d\d:\d\d", everything)  # an offset with seconds
    assert "<lastmod>1850-06-01T12:00:02-04:56</lastmod>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(XSD).validate(str(out / "sitemap.xml"))
