"""Benchmark story grouping on labelled corpora, and its scaling.

Usage:
    python benchmarks/grouping.py CORPUS_DIR... [--threshold T] [--related-threshold R] [--direct [--dense DAYS]]
    python benchmarks/grouping.py --scale 2000,5000,10000,20000 [--from FULLTEXT_DIR...]

A corpus dir holds ``content/`` and ``gold.json`` ({"granularity": "event" |
"topic", "labels": {"content/<file>": "<story id>"}}).  A dir without
gold.json (e.g. the seeds folder) is expected to form a single story.

Each corpus is built through the same code path as ``digestgen build``
(digestgen.build.build into a temporary site and output folder, with a fresh
build cache, so every run is a clean build), and ``digest.json`` is scored:
B-cubed precision / recall / F1 (Bagga & Baldwin 1998), at story level for
"event" corpora and at topic level (related stories) for "topic".  Each corpus
runs in its own process so its peak RSS is its own.  ``--direct`` instead reads
the files once and calls group() directly (faster iteration; the time shown is
then group() alone, tokenising included).  ``--dense DAYS`` (with ``--direct``)
puts every gold event of an event-level corpus on a random day within DAYS
and its versions within a day of it: the corpora spread their events over
years, a newsroom's feed packs a hundred events into a week, and dates then
no longer keep look-alike events apart.

``--scale`` calls group() directly on synthetic replicas of real full-text
articles (distinct stories with realistic word statistics) and prints time
and peak memory per size, also one process per size.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from digestgen.grouping import Document, Grouping, GroupingSettings, group  # noqa: E402


def _content_dir(corpus: Path) -> Path:
    return corpus / "content" if (corpus / "content").is_dir() else corpus


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _gold(corpus: Path) -> tuple[str, dict[str, str] | None]:
    """(level, labels by path relative to the content folder); None = one story."""
    gold_file = corpus / "gold.json"
    if not gold_file.exists():
        return "event", None
    meta = json.loads(gold_file.read_text())
    labels = {k.removeprefix("content/"): v for k, v in meta["labels"].items()}
    return meta.get("granularity", "event"), labels


# ---------------------------------------------------------------------------
# Building and reading
# ---------------------------------------------------------------------------
def build_corpus(corpus: Path, settings: GroupingSettings) -> tuple[dict[str, tuple[str, str]], dict]:
    """Build `corpus` like `digestgen build`; return ({source_path: (story id, topic)}, timings)."""
    from digestgen.build import build
    from digestgen.config import Paths

    with tempfile.TemporaryDirectory(prefix="digestgen-bench-") as tmp_name:
        tmp = Path(tmp_name)
        site = tmp / "site"
        site.mkdir()
        knobs = {k: getattr(settings, k) for k in ("threshold", "related_threshold")}
        (site / "digestgen.toml").write_text(
            "[grouping]\n" + "".join(f"{k} = {v!r}\n" for k, v in knobs.items()), encoding="utf-8"
        )
        where = dict(content=_content_dir(corpus), output=tmp / "out")
        if "cache" in inspect.signature(Paths.for_site).parameters:
            where["cache"] = tmp / "cache"  # a clean build, and nothing written beside the corpus
        t0, c0 = time.perf_counter(), time.process_time()
        result = build(Paths.for_site(site, **where), update_lock=False)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        digest = json.loads((tmp / "out" / "digest.json").read_text(encoding="utf-8"))
    story_of = {
        entry["source_path"]: (story["id"], story["topic"])
        for story in digest["stories"]
        for entry in story["entries"]
    }
    return story_of, {"group": result.timings["group"], "build": wall, "cpu": cpu}


def read_corpus(corpus: Path) -> tuple[list[str], list[Document]]:
    """The build's own reader, for --direct and --scale (no rendering)."""
    from digestgen.content import discover, read_entries

    content = _content_dir(corpus)
    read = read_entries(discover(content), content, "UTC", None)
    paths = [e.source_path for e in read.entries]
    return paths, [Document(e.title, e.text, e.source, e.date, url=e.url) for e in read.entries]


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------
def bcubed(pred: list, gold: list) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 of two labelings of the same items."""
    pairs = Counter(zip(pred, gold))
    pred_size = Counter(pred)
    gold_size = Counter(gold)
    n = len(pred)
    p = sum(c * c / pred_size[pl] for (pl, _), c in pairs.items()) / n
    r = sum(c * c / gold_size[gl] for (_, gl), c in pairs.items()) / n
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def predicted_labels(result: Grouping, n: int, level: str) -> list[int]:
    story_of = [0] * n
    for s, members in enumerate(result.stories):
        for i in members:
            story_of[i] = s
    if level == "event":
        return story_of
    topic_of_story = {}
    for t, members in enumerate(result.topics):
        for s in members:
            topic_of_story[s] = t
    return [topic_of_story[s] for s in story_of]


def _print_line(corpus: Path, level: str, pred: list, gold: list, timing: str) -> None:
    p, r, f = bcubed(pred, gold)
    print(
        f"{corpus.name:<10} n={len(pred):>5} {level}s={len(set(pred)):>5} (gold {len(set(gold)):>4})"
        f"  P={p:.3f} R={r:.3f} F1={f:.3f}  {timing}  peak RSS {_peak_rss_mib():6.1f} MiB",
        flush=True,
    )


def run_corpus(corpus: Path, settings: GroupingSettings) -> None:
    level, labels = _gold(corpus)
    story_of, t = build_corpus(corpus, settings)
    paths = sorted(story_of)
    pred = [story_of[p][0 if level == "event" else 1] for p in paths]
    gold = [labels[p] for p in paths] if labels else ["seed"] * len(paths)
    _print_line(corpus, level, pred, gold,
                f"group stage {t['group']:5.2f}s, build {t['build']:5.2f}s (main cpu {t['cpu']:5.2f}s)")


def dense_dates(docs: list[Document], gold: list[str], days: float) -> list[Document]:
    """Every gold story on a random day within ``days`` (seeded), its versions within a day of
    it, as a newsroom's feed has them. The corpora spread their events over years, and dates
    then keep look-alike events apart that a busy week does not."""
    rng = random.Random(0)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    day = {story: rng.uniform(0, days) for story in sorted(set(gold))}
    return [replace(d, date=start + timedelta(days=day[g] + rng.uniform(0, 1))) for d, g in zip(docs, gold)]


def run_corpus_direct(corpus: Path, settings: GroupingSettings, dense: float | None = None) -> None:
    level, labels = _gold(corpus)
    paths, docs = read_corpus(corpus)
    if dense is not None and labels and level == "event":
        docs = dense_dates(docs, [labels[p] for p in paths], dense)
    t0, c0 = time.perf_counter(), time.process_time()
    result = group(docs, settings)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert group(docs, settings) == result, "group() is not deterministic"
    pred = predicted_labels(result, len(docs), level)
    gold = [labels[p] for p in paths] if labels else ["seed"] * len(paths)
    _print_line(corpus, level, pred, gold, f"group() {seconds:5.2f}s (cpu {cpu:5.2f}s)")


# ---------------------------------------------------------------------------
# Scaling: replicate real full-text articles into many distinct stories.
# ---------------------------------------------------------------------------
_WORD = re.compile(r"[A-Za-z]{3,}")


def _perturb(text: str, replica: int, cache: dict) -> str:
    """Disguise most content words (deterministically per replica) so a replica
    is a *different* story with realistic word statistics, not a duplicate."""
    if replica == 0:
        return text

    def sub(m):
        w = m.group(0)
        out = cache.get(w)
        if out is None:
            h = zlib.crc32(f"{replica}:{w.lower()}".encode())
            out = cache[w] = w if h % 10 < 1 else f"{w}{'qzxjvk'[h % 6]}{h % 97}"
        return out

    return _WORD.sub(sub, text)


def scaled_documents(base: list[Document], size: int) -> list[Document]:
    docs = []
    caches: dict[int, dict] = {}
    for k in range(size):
        replica, d = divmod(k, len(base))
        src = base[d]
        cache = caches.setdefault(replica, {})
        date = src.date + timedelta(days=41 * replica) if src.date else None
        docs.append(
            Document(
                title=_perturb(src.title, replica, cache),
                text=_perturb(src.text, replica, cache),
                source=src.source,
                date=date,
            )
        )
    return docs


def scale_child(size: int, sources: list[Path], settings: GroupingSettings) -> None:
    from digestgen.grouping import prepare

    base = []
    for corpus in sources:
        base += [d for d in read_corpus(corpus)[1] if d.text]
    docs = scaled_documents(base, size)
    words = sum(len(d.text.split()) for d in docs) / len(docs)
    rss_before = _rss_mib()
    # prepare() is what the build runs per article in its worker processes
    # (and caches); group() on prepared documents is the corpus-level rest.
    c0 = time.process_time()
    prepared = [replace(d, features=prepare(d.title, d.text, d.url)) for d in docs]
    prep_cpu = time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    result = group(prepared, settings)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_rss_mib()
    print(
        f"scale n={size:>6} ({words:.0f} words/doc)  stories={len(result.stories):>6}"
        f" topics={len(result.topics):>6}  prepare cpu {prep_cpu:5.2f}s + group {seconds:5.2f}s (cpu {cpu:5.2f}s)"
        f" = est. wall on 2 cores {prep_cpu / 2 + seconds:5.2f}s  peak RSS {peak:7.1f} MiB"
        f" (docs loaded: {rss_before:.1f} MiB, grouping: +{peak - rss_before:.1f} MiB)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="*", type=Path)
    ap.add_argument("--direct", action="store_true", help="call group() directly instead of building")
    ap.add_argument("--scale", help="comma-separated sizes, e.g. 2000,5000,10000,20000")
    ap.add_argument("--from", dest="sources", nargs="+", type=Path,
                    default=[Path("/work/shared/corpora/basil"), Path("/work/shared/corpora/duc2006")],
                    help="full-text corpora to replicate for --scale")
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--related-threshold", type=float)
    ap.add_argument("--dense", type=float, metavar="DAYS",
                    help="with --direct: put each gold event of an event-level corpus on a random day within DAYS")
    ap.add_argument("--_child-size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--_child-corpus", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    overrides = {}
    if args.threshold is not None:
        overrides["threshold"] = args.threshold
    if args.related_threshold is not None:
        overrides["related_threshold"] = args.related_threshold
    settings = GroupingSettings(**overrides)
    knob_flags = []
    for flag, val in (("--threshold", args.threshold), ("--related-threshold", args.related_threshold)):
        if val is not None:
            knob_flags += [flag, str(val)]

    if args._child_size:
        scale_child(args._child_size, args.sources, settings)
        return
    if args._child_corpus:
        if args.direct:
            run_corpus_direct(args._child_corpus, settings, args.dense)
        else:
            run_corpus(args._child_corpus, settings)
        return
    if args.dense is not None and not args.direct:
        ap.error("--dense needs --direct")
    print(f"settings: {settings}" + (f", event dates within {args.dense:g} days" if args.dense is not None else ""), flush=True)
    # one process per corpus / size so each peak RSS is its own
    for corpus in args.corpora:
        cmd = [sys.executable, __file__, "--_child-corpus", str(corpus), *knob_flags]
        if args.direct:
            cmd += ["--direct"] + (["--dense", str(args.dense)] if args.dense is not None else [])
        subprocess.run(cmd, check=True)
    if args.scale:
        for size in (int(s) for s in args.scale.split(",")):
            cmd = [sys.executable, __file__, "--_child-size", str(size), "--from", *map(str, args.sources), *knob_flags]
            subprocess.run(cmd, check=True, env={**os.environ, "OMP_NUM_THREADS": "2"})


if __name__ == "__main__":
    main()
