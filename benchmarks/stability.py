"""How much one edit moves stories it does not touch.

Usage:
    python benchmarks/stability.py CORPUS_DIR... [--edits N] [--seed S]

For each corpus: group it, then N times add a short sentence to the lead of one
random article and group again, and count the stories that changed (gained or
lost an article) and do not hold the edited article.  An editor expects an edit
to one article to leave the rest of the digest as it was; each count is a story
whose members moved under a reader's feet.  Prints per corpus how many edits
moved anything else, and the moved stories in all.
"""
from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grouping import read_corpus  # noqa: E402  (also puts the checkout's src on the path)

from digestgen.grouping import GroupingSettings, group, prepare  # noqa: E402


def _partition(docs, settings) -> set[frozenset[int]]:  # noqa: ANN001
    return {frozenset(members) for members in group(docs, settings).stories}


def moved_stories(docs, edited: int, settings: GroupingSettings, before: set[frozenset[int]]) -> int:  # noqa: ANN001
    """Stories other than the edited article's that the edit changed."""
    doc = docs[edited]
    text = "Harbour dredging update begins. " + doc.text
    changed = list(docs)
    changed[edited] = replace(doc, text=text, features=prepare(doc.title, text, doc.url))
    after = _partition(changed, settings)
    return sum(1 for story in before ^ after if edited not in story)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    settings = GroupingSettings()
    for corpus in args.corpora:
        _, docs = read_corpus(corpus)
        docs = [replace(d, features=prepare(d.title, d.text, d.url)) for d in docs]
        before = _partition(docs, settings)
        picks = random.Random(args.seed).sample(range(len(docs)), min(args.edits, len(docs)))
        moved = [moved_stories(docs, i, settings, before) for i in picks]
        print(f"{corpus.name:<10} n={len(docs):5d} stories={len(before):5d}  edits moving other stories: "
              f"{sum(1 for m in moved if m):2d}/{len(moved)}  other stories moved in all: {sum(moved)}", flush=True)


if __name__ == "__main__":
    main()
