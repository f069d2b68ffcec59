"""Benchmark story grouping on labelled corpora, and its scaling.

Usage:
    python benchmarks/grouping.py CORPUS_DIR... [--threshold T] [--related-threshold R]
    python benchmarks/grouping.py --scale 2000,5000,10000,20000 --from BASIL_DIR DUC_DIR

A corpus dir holds ``content/`` and ``gold.json`` ({"granularity": "event" |
"topic", "labels": {"content/<file>": "<story id>"}}).  A dir without
gold.json (e.g. the seeds folder) is expected to form a single story.
Scores are B-cubed precision / recall / F1 (Bagga & Baldwin 1998), at story
level for "event" corpora and at topic level (related stories) for "topic".
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from digestgen.grouping import Document, Grouping, GroupingSettings, group  # noqa: E402


# ---------------------------------------------------------------------------
# Reading documents.
#
# TODO(swap): the issue requires building each corpus "through the same code
# path as `digestgen build`".  `digestgen.content` is being written in
# parallel; until it exists this private reader stands in for it.  Replace the
# body of load_documents() with a call to the real reader (keeping the return
# shape: paths relative to the corpus dir, e.g. "content/x.md", and Documents).
# ---------------------------------------------------------------------------
def load_documents(content_dir: Path) -> tuple[list[str], list[Document]]:
    import yaml

    paths, docs = [], []
    for path in sorted(p for p in content_dir.iterdir() if p.is_file()):
        raw = path.read_text(encoding="utf-8", errors="replace")
        meta: dict = {}
        body = raw
        m = re.match(r"^---\s*\n(.*?)\n---\s*\n?", raw, re.S)
        if m:
            meta = yaml.safe_load(m.group(1)) or {}
            body = raw[m.end():]
            title = str(meta.get("title") or "")
        else:
            # plain text: first line is the headline
            title, _, body = raw.strip().partition("\n")
        docs.append(
            Document(
                title=title.strip(),
                text=body.strip(),
                source=str(meta.get("source") or path.stem),
                date=_parse_date(meta.get("date")),
            )
        )
        paths.append(f"{content_dir.name}/{path.name}")
    return paths, docs


def _parse_date(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = str(value).strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    return None


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


def run_corpus(corpus: Path, settings: GroupingSettings) -> None:
    content = corpus / "content" if (corpus / "content").is_dir() else corpus
    paths, docs = load_documents(content)
    gold_file = corpus / "gold.json"
    if gold_file.exists():
        meta = json.loads(gold_file.read_text())
        level = meta.get("granularity", "event")
        gold = [meta["labels"][p] for p in paths]
    else:  # seeds: all one story
        level, gold = "event", ["seed"] * len(docs)

    t0, c0 = time.perf_counter(), time.process_time()
    result = group(docs, settings)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    tracemalloc.start()
    again = group(docs, settings)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert again == result, "group() is not deterministic"

    pred = predicted_labels(result, len(docs), level)
    p, r, f = bcubed(pred, gold)
    n_pred = len(set(pred))
    print(
        f"{corpus.name:<10} n={len(docs):>5} {level}s={n_pred:>5} (gold {len(set(gold)):>4})"
        f"  P={p:.3f} R={r:.3f} F1={f:.3f}  {seconds:6.2f}s (cpu {cpu:.2f}s)  peak {peak / 2**20:6.1f} MiB",
        flush=True,
    )


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


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def scale_child(size: int, sources: list[Path], settings: GroupingSettings) -> None:
    base = []
    for corpus in sources:
        content = corpus / "content" if (corpus / "content").is_dir() else corpus
        base += [d for d in load_documents(content)[1] if d.text]
    docs = scaled_documents(base, size)
    words = sum(len(d.text.split()) for d in docs) / len(docs)
    rss_before = _rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    result = group(docs, settings)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"scale n={size:>6} ({words:.0f} words/doc)  stories={len(result.stories):>6}"
        f" topics={len(result.topics):>6}  {seconds:6.2f}s (cpu {cpu:.2f}s)  peak RSS {peak:7.1f} MiB"
        f" (docs loaded: {rss_before:.1f} MiB, group: +{peak - rss_before:.1f} MiB)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="*", type=Path)
    ap.add_argument("--scale", help="comma-separated sizes, e.g. 2000,5000,10000,20000")
    ap.add_argument("--from", dest="sources", nargs="+", type=Path,
                    default=[Path("/work/shared/corpora/basil"), Path("/work/shared/corpora/duc2006")],
                    help="full-text corpora to replicate for --scale")
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--related-threshold", type=float)
    ap.add_argument("--_child-size", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    overrides = {}
    if args.threshold is not None:
        overrides["threshold"] = args.threshold
    if args.related_threshold is not None:
        overrides["related_threshold"] = args.related_threshold
    settings = GroupingSettings(**overrides)

    if args._child_size:
        scale_child(args._child_size, args.sources, settings)
        return
    print(f"settings: {settings}")
    for corpus in args.corpora:
        run_corpus(corpus, settings)
    if args.scale:
        for size in (int(s) for s in args.scale.split(",")):
            # one process per size so peak RSS is that size's own
            cmd = [sys.executable, __file__, "--_child-size", str(size), "--from", *map(str, args.sources)]
            for flag, val in (("--threshold", args.threshold), ("--related-threshold", args.related_threshold)):
                if val is not None:
                    cmd += [flag, str(val)]
            subprocess.run(cmd, check=True, env={**os.environ, "OMP_NUM_THREADS": "2"})


if __name__ == "__main__":
    main()
