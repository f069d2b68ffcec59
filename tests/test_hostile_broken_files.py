"""Broken files get clear messages: each builds sensibly or fails with ``path:line: message``,
never a traceback, in bounded time and memory. Plus property-based tests of the readers."""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import time
import tracemalloc
from contextlib import redirect_stderr
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digestgen.cli import main
from digestgen.content import MAX_FILE_BYTES, read_entry

UTC = ZoneInfo("UTC")
PROBLEM_LINE = re.compile(r"^(?:[^\s:][^:]*)(?::\d+)?: (?:warning: )?\S.*$")


def _alias_bomb() -> bytes:
    lines = ["---", "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return ("\n".join(lines) + "\n---\nbody\n").encode()


def _merge_bomb() -> bytes:
    lines = ["---", "a: &a {" + ", ".join(f"k{i}: {i}" for i in range(10)) + "}"]
    for i in range(1, 8):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} {{<<: [{', '.join(['*' + prev] * 9)}]}}")
    return ("\n".join(lines) + "\n---\nbody\n").encode()


GOOD = b"---\ntitle: Fine\n---\n\nFine words.\n"
# name -> (file name, bytes, expected: "ok" builds, "error" fails naming the file,
#          "warning" builds with a warning naming the file)
MALFORMED = {
    "empty md": ("empty.md", b"", "warning"),
    "empty txt": ("empty.txt", b"", "warning"),
    "whitespace only": ("blank.md", b"  \n\n\t\n", "warning"),
    "png as md": ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "error"),
    "elf as txt": ("program.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(200), "error"),
    "control soup": ("soup.txt", bytes(range(1, 32)) * 40, "error"),
    "invalid utf-8 (cp1252)": ("cp1252.txt", "Caf\u00e9 \u2014 \u20ac5 \u201cquoted\u201d.\n\nBody text here.".encode("cp1252"), "ok"),
    "utf-8 with a stray byte": ("stray.md", "---\ntitle: Caf\u00e9\n---\n\nna\u00efve \x96 dash".encode("utf-8").replace(b"\xc2\x96", b"\x96"), "ok"),
    "cp1252 undefined bytes": ("undefined.txt", b"Headline\n\nText \x81\x8d\x8f\x90\x9d here.", "ok"),
    "utf-16 le bom": ("u16le.md", codecs.BOM_UTF16_LE + "---\ntitle: Sixteen\n---\n\nText.".encode("utf-16-le"), "ok"),
    "utf-16 be bom": ("u16be.txt", codecs.BOM_UTF16_BE + "Sixteen\n\nText here.".encode("utf-16-be"), "ok"),
    "utf-16 no bom": ("u16nobom.txt", "Sixteen\n\nText here.".encode("utf-16-le"), "ok"),
    # other scripts have no zero bytes but in ASCII: their spaces and line ends tell (it was "binary")
    "utf-16 greek no bom": ("u16greek.md", '---\ntitle: "Σεισμός"\n---\n\nΙσχυρός σεισμός στην Αθήνα.\n'.encode("utf-16-le"), "ok"),
    "utf-16 chinese no bom": ("u16zh.txt", "台湾花莲县地震\n\n多栋建筑倒塌。\n救援工作正在进行。\n".encode("utf-16-be"), "ok"),
    "utf-16 odd length": ("u16odd.md", codecs.BOM_UTF16_LE + b"a\x00b", "error"),
    "utf-32 bom": ("u32.md", "\ufeff---\ntitle: Thirty-two\n---\n\nText.".encode("utf-32"), "ok"),
    "utf-8 bom": ("bom.md", codecs.BOM_UTF8 + b"---\ntitle: BOM\n---\n\nText.", "ok"),
    "crlf": ("crlf.md", b"---\r\ntitle: CRLF\r\n---\r\n\r\nText.\r\n", "ok"),
    "unclosed front matter": ("unclosed.md", b"---\ntitle: Never closed\n\nBody.\n", "error"),
    "only opening line": ("opening.md", b"---", "error"),
    "yaml list": ("list.md", b"---\n- a\n- b\n---\n\nText.", "error"),
    "yaml scalar": ("scalar.md", b"---\njust a string\n---\n\nText.", "error"),
    "yaml syntax": ("syntax.md", b"---\ntitle: [unclosed\n---\n\nText.", "error"),
    "yaml tab indent": ("tabs.md", b"---\ntitle:\n\t- x\n---\n\nText.", "error"),
    "python tag": ("pytag.md", b"---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n\nx", "error"),
    "binary tag title": ("bintag.md", b"---\ntitle: !!binary aGVsbG8=\n---\n\nx", "error"),
    "date list": ("datelist.md", b"---\ntitle: T\ndate: [1, 2]\n---\n\nText.", "warning"),
    "date mapping": ("datemap.md", b"---\ntitle: T\ndate: {a: 1}\n---\n\nText.", "warning"),
    "date impossible": ("date13.md", b"---\ntitle: T\ndate: 2018-13-45\n---\n\nText.", "warning"),
    "date year 1": ("date1.md", b"---\ntitle: T\ndate: 0001-01-01T00:00:00+05:00\n---\n\nText.", "warning"),
    "date year 9999": ("date9999.md", b"---\ntitle: T\ndate: 9999-12-31 23:59:59-05:00\n---\n\nText.", "warning"),
    "date bad offset": ("dateoff.md", b"---\ntitle: T\ndate: July 12, 2018 5:47 pm +99:99\n---\n\nText.", "warning"),
    "title number": ("title42.md", b"---\ntitle: 42\n---\n\nText.", "ok"),
    "title huge int": ("titlebig.md", b"---\ntitle: " + b"7" * 6000 + b"\n---\n\nText.", "ok"),
    "title list": ("titlelist.md", b"---\ntitle: [a, b]\n---\n\nText.", "error"),
    "title null": ("titlenull.md", b"---\ntitle: ~\n---\n\nText.", "ok"),
    "title bool": ("titlebool.md", b"---\ntitle: yes\n---\n\nText.", "error"),
    "title nul escape": ("titlenul.md", b'---\ntitle: "a\\0b\\x07c"\n---\n\nText.', "ok"),
    "title surrogate escape": ("titlesur.md", b'---\ntitle: "\\ud800"\n---\n\nText.', "error"),
    "title half a megabyte": ("titlemb.md", b"---\ntitle: " + b"word " * 100_000 + b"\n---\n\nText.", "ok"),
    "tags mapping": ("tagsmap.md", b"---\ntags: {a: 1}\n---\n\nText.", "error"),
    "tags thousands": ("tags1000.md", b"---\ntags: [" + b", ".join(b"t%d" % i for i in range(1000)) + b"]\n---\n\nx", "error"),
    "draft string": ("draft.md", b"---\ndraft: maybe\n---\n\nText.", "error"),
    "url javascript": ("urljs.md", b"---\ntitle: T\nurl: javascript:alert(1)\n---\n\nText.", "warning"),
    "url ipv6 broken": ("urlv6.md", b"---\ntitle: T\nurl: http://[::1\n---\n\nText.", "warning"),
    "url no host": ("urlnohost.md", b"---\ntitle: T\nurl: 'http:///path'\n---\n\nText.", "warning"),
    "duplicated key": ("dup.md", b"---\ntitle: A\ntitle: B\n---\n\nText.", "error"),
    "unhashable key": ("keylist.md", b"---\n? [a, b]\n: c\n---\n\nText.", "error"),
    "merge key": ("merge.md", b"---\nbase: {a: 1}\nx:\n  <<: {b: 2}\n---\n\nText.", "error"),
    "alias bomb": ("bomb.md", _alias_bomb(), "error"),
    "merge bomb": ("mergebomb.md", _merge_bomb(), "error"),
    "deep flow yaml": ("deepflow.md", b"---\na: " + b"[" * 100_000 + b"]" * 100_000 + b"\n---\n\nx", "error"),
    "deep block yaml": ("deepblock.md", b"---\n" + b"".join(b" " * i + b"k:\n" for i in range(200)) + b"---\n\nx", "error"),
    "many keys": ("manykeys.md", b"---\n" + b"".join(b"k%d: v\n" % i for i in range(20_000)) + b"---\n\nx", "error"),
    "30k-line md": ("lines.md", b"---\ntitle: Long\n---\n\n" + b"A line of text.\n" * 30_000, "ok"),
    "100k-line txt": ("lines.txt", b"Long headline\n\n" + b"A sentence of the body.\n" * 100_000, "ok"),
    "one 5 MB line": ("oneline.txt", b"x" * 5_000_000, "ok"),
    "deep blockquote": ("quote.md", b"> " * 20_000 + b"x", "ok"),
    "deep list": ("deeplist.md", b"".join(b"  " * i + b"- x\n" for i in range(500)), "ok"),
    "emphasis soup": ("emph.md", b"*a **b " * 5_000, "ok"),
    "bracket soup": ("brackets.md", b"[" * 10_000 + b"](" * 2_000, "ok"),
    "html soup": ("htmlsoup.md", b"<div><script>" * 5_000, "ok"),
    "hr as first line": ("hr.md", b"----\n\nNot front matter, never closed.", "error"),
    "front matter only": ("fmonly.md", b"---\ntitle: Only metadata\n---\n", "ok"),
}


def _site(tmp_path: Path, files: dict[str, bytes]) -> Path:
    content = tmp_path / "content"
    content.mkdir(parents=True, exist_ok=True)
    (tmp_path / "digestgen.toml").write_text('base_url = "https://news.example/"\n', encoding="utf-8")
    for name, data in files.items():
        (content / name).write_bytes(data)
    return tmp_path


def _cli_build(site: Path, *extra: str) -> tuple[int, str]:
    """The build run in the site's folder, as a user runs it: files are named from there."""
    err = io.StringIO()
    with redirect_stderr(err), contextlib.chdir(site):
        code = main(["build", "-q", *extra])
    return code, err.getvalue()


def test_enough_malformed_files():
    assert len(MALFORMED) >= 50


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_builds_or_fails_cleanly(tmp_path, case):
    name, data, expected = MALFORMED[case]
    site = _site(tmp_path, {name: data, "good.md": GOOD})
    started = time.perf_counter()
    code, stderr = _cli_build(site, "--strict")
    elapsed = time.perf_counter() - started
    assert "Traceback" not in stderr
    problem_lines = [l for l in stderr.splitlines() if not l.startswith("Build failed")]
    assert all(PROBLEM_LINE.match(l) for l in problem_lines), stderr
    if expected == "ok":
        assert code == 0, stderr
        assert (site / "output" / "index.html").exists()
    else:  # under --strict a warning fails the build too, naming the file
        assert code == 1, stderr
        assert any(l.startswith(f"content/{name}") for l in problem_lines), stderr
        assert not (site / "output").exists()
    if expected == "warning":
        code, stderr = _cli_build(site)
        assert code == 0 and "Traceback" not in stderr
    assert elapsed < 10, f"{case} took {elapsed:.1f} s"


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_reading_is_bounded(case):
    name, data, _ = MALFORMED[case]
    started = time.perf_counter()
    entry, problems = read_entry(data, name, Path(name).suffix, UTC)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"{case}: {elapsed:.1f} s"
    if len(data) < 300_000:  # tracemalloc slows parsing tenfold: measure the small (bomb-sized) ones
        tracemalloc.start()
        try:
            read_entry(data, name, Path(name).suffix, UTC)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 400 * len(data) + 20 * 2**20, f"{case}: {peak / 2**20:.0f} MB"
    assert entry is not None or problems
    assert not any("digestgen bug" in p.message for p in problems), problems
    if entry is not None:
        assert len(entry.title) <= 300 and entry.title.strip()
        assert all(len(t) <= 200 for t in entry.tags)


def test_oversized_file_is_refused_without_reading(tmp_path):
    site = _site(tmp_path, {"good.md": GOOD})
    with open(site / "content" / "huge.md", "wb") as f:
        f.truncate(50 * 2**20)  # sparse: 50 MB on paper, nothing on disk
    started = time.perf_counter()
    code, stderr = _cli_build(site)
    assert time.perf_counter() - started < 5
    assert code == 1
    assert re.search(r"^content/huge\.md: file is larger than \d+ [MK]B(: .*)?$", stderr, re.M), stderr
    assert read_entry(b"x" * (MAX_FILE_BYTES + 1), "big.md", ".md", UTC)[0] is None


def test_problems_carry_line_numbers():
    cases = {
        b"---\ntitle: A\ntitle: B\n---\n": 3,
        b"---\ntitle: T\ndate: [1, 2]\n---\n": 3,
        b"---\na: 1\nb: [unclosed\n---\n": 3,  # where the bracket opened
        b"---\ntitle: T\n\nnever closed": 1,
    }
    for data, line in cases.items():
        _, problems = read_entry(data, "x.md", ".md", UTC)
        assert problems and problems[0].line == line, (data, problems)


def test_cp1252_decodes_sensibly():
    entry, _ = read_entry("Caf\u00e9 prices \u2014 \u20ac5\n\nBody \u201cquoted\u201d text.".encode("cp1252"), "x.txt", ".txt", UTC)
    assert entry.title == "Caf\u00e9 prices \u2014 \u20ac5"
    mixed = "na\u00efve".encode("utf-8") + b" \x93quoted\x94"
    entry, _ = read_entry(mixed, "y.txt", ".txt", UTC)
    assert entry.title == "na\u00efve \u201cquoted\u201d"


# ---- property-based: the readers never raise, are deterministic, and escape what they emit ----

FRONT_KEYS = st.sampled_from(["title", "date", "updated", "source", "url", "author", "tags", "story", "summary", "draft", "extra", "x"])
YAMLISH = st.text(alphabet=st.sampled_from(list("abc :-[]{}&*!|>'\"#,?\n\t<>%@`\\0123456789.")), max_size=80)
FRONT_MATTER = st.builds(
    lambda pairs, body, closed: (
        "---\n" + "".join(f"{k}: {v}\n" for k, v in pairs) + ("---\n" if closed else "") + body
    ).encode("utf-8", "surrogatepass"),
    st.lists(st.tuples(FRONT_KEYS, YAMLISH), max_size=6),
    st.text(max_size=200),
    st.booleans(),
)
FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_read(data: bytes, suffix: str) -> None:
    first = read_entry(data, "f" + suffix, suffix, UTC)
    second = read_entry(data, "f" + suffix, suffix, UTC)
    assert first == second  # deterministic
    entry, problems = first
    assert entry is not None or problems
    assert not any("digestgen bug" in p.message for p in problems), problems
    for p in problems:
        assert p.path == "f" + suffix and p.severity in ("error", "warning")
        assert PROBLEM_LINE.match(str(p).split("\n")[0]), str(p)
    if entry is not None:
        assert entry.title and entry.source
        assert "<script" not in entry.body_html.lower() or "&lt;script" in entry.body_html.lower()
        assert entry.url is None or entry.url.startswith(("http://", "https://"))
        entry.body_html.encode("utf-8")
        entry.title.encode("utf-8")


@FAST
@given(st.binary(max_size=400), st.sampled_from([".md", ".txt", ".markdown", ".MD"]))
def test_any_bytes(data, suffix):
    _check_read(data, suffix)


@FAST
@given(st.text(max_size=400), st.sampled_from([".md", ".txt"]))
def test_any_text(text, suffix):
    _check_read(text.encode("utf-8", "surrogatepass"), suffix)


@FAST
@given(FRONT_MATTER)
def test_any_front_matter(data):
    _check_read(data, ".md")
