"""How long from saving an article to the reloaded page, with ``digestgen serve``.

Usage:
    python benchmarks/serve_latency.py [--articles 2000] [--runs 5] [--mode browser|http]
        [--corpora /work/shared/corpora] [--replicate] [--gap SECONDS] [--add] [--template]

Copies ARTICLES Markdown files from CORPORA/*/content/ into a temporary site (never into the
repository; with --replicate, makes the site as benchmarks/build.py does, so ARTICLES may be
more than the corpora hold: 10000 and up), starts the preview in-process on a free port, then RUNS times: opens the page of
one article, edits that article's first paragraph, and times save -> new text on the page
(each edit on its own: it waits for the preview to finish building first). It also says when
the preview settled: after the quick first build or patch, the exact build that follows it.
With --gap, each article is saved a second time GAP seconds after the first save, while the
exact build of the first runs, and the second save is the one timed. With --add, each run
adds a new article instead, and times it to the digest's first page, which the new story leads.
With --template, each run saves the site's own copy of the theme's base.html with a new word
in it instead, and times it to the article's page.

``--mode browser`` (the default when Playwright and /usr/bin/chromium are there) measures in
headless Chromium, the live-reload script doing the reload. ``--mode http`` does what that
script does over plain HTTP: wait on the reload poll, naming the page, then fetch the page.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import digestgen.serve  # noqa: E402
from digestgen.config import Paths  # noqa: E402
from digestgen.serve import Preview  # noqa: E402
from digestgen.render import theme_dir  # noqa: E402
from digestgen.serve.inject import POLL_PATH  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def make_site(root: Path, corpora: Path, count: int) -> Paths:
    sources = sorted(corpora.glob("*/content/*.md"))
    if len(sources) < count:
        raise SystemExit(f"only {len(sources)} articles under {corpora}/*/content, need {count}")
    (root / "content").mkdir(parents=True)
    for source in sources[:count]:
        shutil.copyfile(source, root / "content" / f"{source.parents[1].name}-{source.name}")
    return Paths.for_site(root)


def replicated_site(root: Path, count: int) -> Paths:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import build as build_benchmark  # benchmarks/build.py

    build_benchmark.make_site(root, count, build_benchmark.load_articles())
    return Paths.for_site(root / "digest")


def pick_articles(paths: Paths, preview_root: Path, runs: int) -> list[tuple[Path, str, str]]:
    """(file, first paragraph, page URL path) for RUNS articles whose first paragraph shows
    verbatim on their article page, so the edit is easy to see."""
    chosen = []
    for file in sorted(paths.content.glob("*.md")):
        text = file.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[-1].strip()
        first = body.split("\n\n", 1)[0].strip()
        if not (60 < len(first) < 600) or first != html.escape(first, quote=True) or first.startswith(("#", "-", "*", ">")):
            continue
        for page in preview_root.glob("articles/*/index.html"):
            if first[:60] in page.read_text(encoding="utf-8"):
                chosen.append((file, first, "/" + page.parent.relative_to(preview_root).as_posix() + "/"))
                break
        if len(chosen) == runs:
            return chosen
    raise SystemExit("could not find enough plainly rendered articles to edit")


def edit(file: Path, first: str, marker: str) -> None:
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace(first, f"{marker} {first}", 1), encoding="utf-8")


def add_article(content: Path, number: int, marker: str) -> None:
    """A new article, dated now (so its story leads the digest), with ``marker`` in its title."""
    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    (content / f"zz-added-{number}.md").write_text(
        f'---\ntitle: "{marker}: the harbour authority dredges the channel"\ndate: "{stamp}"\n'
        f'source: "Bench Gazette"\n---\n\nThe harbour authority began dredging the channel on {stamp}.\n',
        encoding="utf-8",
    )


def edit_template(templates: Path, marker: str) -> None:
    """The site's own base.html: the theme's, with ``marker`` in the skip link of every page."""
    text = (theme_dir() / "base.html").read_text(encoding="utf-8")
    templates.mkdir(exist_ok=True)
    (templates / "base.html").write_text(text.replace("Skip to content", f"Skip to content {marker}"), encoding="utf-8")


def settle(preview: Preview) -> None:
    """Wait until the preview has no build running or waiting: each run is one edit on its own."""
    while not preview.idle():
        time.sleep(0.01)


def measure_http(preview: Preview, targets, templates: Path | None = None) -> list[float]:  # noqa: ANN001
    times = []
    for number, (file, first, page) in enumerate(targets, 1):
        marker = f"EDITMARK{number}"
        settle(preview)
        seen = preview.state.snapshot().version
        with ThreadPoolExecutor(1) as tab:  # a tab showing the page, waiting for a reload, as live.js does
            poll = tab.submit(_poll, preview, seen, page)
            while not preview.state.on_screen():
                time.sleep(0.005)
            saved = time.perf_counter()
            if templates is not None:
                edit_template(templates, marker)
            else:
                edit(file, first, marker)
            seen = poll.result()
        while True:
            with urllib.request.urlopen(preview.url.rstrip("/") + page, timeout=60) as reply:
                if marker in reply.read().decode("utf-8"):
                    break
            seen = _poll(preview, seen, page)
        times.append(time.perf_counter() - saved)
        settle(preview)
        print(f"  run {number}: {times[-1]:.2f} s (preview settled after {time.perf_counter() - saved:.2f} s)", flush=True)
    return times


def _poll(preview: Preview, seen: str, page: str) -> str:
    query = urllib.parse.urlencode({"since": seen, "page": page})
    with urllib.request.urlopen(f"{preview.url.rstrip('/')}{POLL_PATH}?{query}", timeout=120) as reply:
        return json.load(reply)["version"]


def measure_browser(preview: Preview, targets, gap: float | None = None,  # noqa: ANN001
                    add_to: Path | None = None, templates: Path | None = None) -> list[float]:
    from playwright.sync_api import expect, sync_playwright

    def save_and_time(file: Path, old: str, marker: str) -> float:
        saved_wall = time.time()
        if add_to is not None:
            add_article(add_to, len(times), marker)
        elif templates is not None:
            edit_template(templates, marker)
        else:
            edit(file, old, marker)
        expect(page.locator("body")).to_contain_text(marker, timeout=120_000)
        # expect() polls at growing intervals (100, 250, 500 ms...), which would round the
        # latency up; the reloaded document says itself when its content was ready.
        ready = page.evaluate(
            "performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
        ) / 1000
        return ready - saved_wall

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for number, (file, first, url_path) in enumerate(targets, 1):
            marker = f"EDITMARK{number}"
            settle(preview)
            # the tab may still be reloading for the last exact build (it reloads when the
            # stories changed): then go again
            for _ in range(5):
                try:
                    # with --add, the digest's first page, where the new story will lead
                    page.goto(preview.url if add_to is not None else preview.url.rstrip("/") + url_path)
                    break
                except Exception:  # noqa: BLE001 - playwright's "navigation interrupted"
                    page.wait_for_timeout(200)
            if add_to is None:
                expect(page.locator("body")).to_contain_text(first[:60])
            saved = time.perf_counter()
            times.append(save_and_time(file, first, marker))
            if gap is not None:  # a second save while the first's exact build runs: time that one
                time.sleep(max(0.0, saved + gap - time.perf_counter()))
                times[-1] = save_and_time(file, marker, f"{marker}B")
            settle(preview)  # the exact build that follows a patch or a quick first build
            print(f"  run {number}: {times[-1]:.2f} s (preview settled after {time.perf_counter() - saved:.2f} s)", flush=True)
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpora", type=Path, default=Path("/work/shared/corpora"))
    parser.add_argument("--mode", choices=["browser", "http"], default=None)
    parser.add_argument("--replicate", action="store_true", help="make the site as benchmarks/build.py does")
    parser.add_argument("--gap", type=float, default=None,
                        help="save each article twice, GAP seconds apart, and time the second save (browser mode)")
    parser.add_argument("--add", action="store_true",
                        help="add a new article each run instead of editing one, and time it to the digest's page (browser mode)")
    parser.add_argument("--template", action="store_true",
                        help="save the site's base.html each run instead of editing an article")
    args = parser.parse_args()
    mode = args.mode or ("browser" if _browser_available() else "http")

    build_times = _time_builds()
    with tempfile.TemporaryDirectory(prefix="digestgen-serve-bench-") as tmp:
        if args.replicate:
            paths = replicated_site(Path(tmp), args.articles)
        else:
            paths = make_site(Path(tmp) / "site", args.corpora, args.articles)
        started = time.perf_counter()
        with Preview(paths, port=0) as preview:
            print(f"{args.articles} articles; first build {time.perf_counter() - started:.2f} s; mode {mode}")
            if preview.state.snapshot().problems:
                raise SystemExit("the first build failed: " + "; ".join(map(str, preview.state.snapshot().problems)))
            targets = pick_articles(paths, preview.root, args.runs)
            for kind in build_times.values():
                kind.clear()
            if (args.gap is not None or args.add) and mode != "browser":
                raise SystemExit("--gap and --add need the browser mode")
            templates = paths.templates if args.template else None
            if mode == "browser":
                times = measure_browser(preview, targets, args.gap, paths.content if args.add else None, templates)
            else:
                times = measure_http(preview, targets, templates)
    print(f"save -> reloaded page, {len(times)} runs: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}; includes the 0.1 s debounce)")
    for kind, label in (("patch", "patch (the edit patched in: stories as they were, or the pages on screen)"),
                        ("quick", "quick first build() (stories as they were)"), ("exact", "exact build()")):
        if build_times[kind]:
            print(f"{label}: median {statistics.median(build_times[kind]):.3f} s over {len(build_times[kind])}")


def _time_builds() -> dict[str, list[float]]:
    """How long each patch() and build() the preview runs takes (quick, provisional builds and
    exact ones apart), to tell them from serving overhead."""
    times: dict[str, list[float]] = {"patch": [], "quick": [], "exact": []}
    build, patch = digestgen.serve.build, Preview._patch

    def timed_build(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started = time.perf_counter()
        try:
            return build(*args, **kwargs)
        finally:
            times["quick" if kwargs.get("provisional", False) else "exact"].append(time.perf_counter() - started)

    def timed_patch(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started = time.perf_counter()
        patched = patch(*args, **kwargs)
        if patched is not None:
            times["patch"].append(time.perf_counter() - started)
        return patched

    digestgen.serve.build, Preview._patch = timed_build, timed_patch
    return times


def _browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


if __name__ == "__main__":
    main()
