"""The table from which settings.SEARCH_MEANING_MIN_COSINE is chosen (the search box's third
try, `matching.search.fallback`: listings nearest to the query's embedding).

Queries are what a user might type for each judged need of data/qrels_dev.json: its title,
and its first keyword. For each floor, the table gives the share of judged-relevant
(query, result) pairs whose cosine reaches it (recall), the share of pairs reaching it that
are relevant (precision) and the results per query; then the best cosine of queries that
mean nothing to the catalogue. The floor is the highest that keeps at least 90 % of the
relevant pairs of both query styles: it removes what cannot be relevant (gibberish scores
below it) and no more, because the model's cosines separate relevance poorly (DESIGN.md §7).
Unjudged pairs count as not relevant, so the precision is a lower bound. When no floor of the
table keeps 90 %, the script says so instead of choosing one.

    .venv/bin/python benchmarks/meaning_floor.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

import django  # noqa: E402

django.setup()

from matching.semantic.embedders import get_embedder  # noqa: E402
from matching.semantic.texts import embedding_text  # noqa: E402

FLOORS = [round(0.78 + 0.01 * i, 2) for i in range(12)]
NONSENSE = ["asdfgh", "xyz123", "qwerty uiop", "你好", "今天吃什么", "天气怎么样"]
KEPT_RECALL = 0.90


def main() -> None:
    embedder = get_embedder()
    if embedder is None:
        sys.exit("no embedder installed (MATCHING_EMBEDDER)")
    results = json.loads((ROOT / "data/results.json").read_text(encoding="utf-8"))
    needs = {n["id"]: n for n in json.loads((ROOT / "data/needs.json").read_text("utf-8"))}
    qrels = json.loads((ROOT / "data/qrels_dev.json").read_text(encoding="utf-8"))
    passages = embedder.passages(
        [embedding_text(r["title"], tuple(r["keywords"])) for r in results]
    )
    ids = [r["id"] for r in results]
    styles = {
        "title": lambda need: need["title"],
        "first keyword": lambda need: (need["keywords"] or [need["title"]])[0],
    }
    chosen: list[float] = []
    for style, typed in styles.items():
        relevant, other = [], []
        for need_id, judged in qrels.items():
            scores = passages @ embedder.query(typed(needs[need_id]))
            for i, result_id in enumerate(ids):
                (relevant if judged.get(result_id, 0) > 0 else other).append(float(scores[i]))
        pos, neg = np.array(relevant), np.array(other)
        print(
            f"\nqueries: each judged need's {style} ({len(qrels)} needs, {len(pos)} relevant pairs)"
        )
        print(f"{'floor':>6} {'recall':>7} {'precision':>10} {'results/query':>14}")
        kept: float | None = None
        for floor in FLOORS:
            hits, wrong = int((pos >= floor).sum()), int((neg >= floor).sum())
            recall = hits / len(pos)
            print(f"{floor:6.2f} {recall:7.2f} {hits / max(1, hits + wrong):10.2f} "
                  f"{(hits + wrong) / len(qrels):14.1f}")  # fmt: skip
            if recall >= KEPT_RECALL:
                kept = floor
        if kept is None:
            sys.exit(f"no floor of {FLOORS} keeps {KEPT_RECALL:.0%} of the {style} pairs")
        chosen.append(kept)
    print("\nbest cosine of queries that mean nothing here:")
    for text in NONSENSE:
        print(f"  {text:<14} {float((passages @ embedder.query(text)).max()):.3f}")
    print(
        f"\nfloor keeping >= {KEPT_RECALL:.0%} of relevant pairs in both styles: {min(chosen):.2f}"
    )


if __name__ == "__main__":
    main()
