"""manage.py evaluate_matching --needs data/needs.json --qrels data/qrels_dev.json [--json]

Scores the needs of a needs.json file WITHOUT saving them against the published research results
in the database (through the configured search backend, whose index must be current: run
`manage.py update_index` first), and prints nDCG@10, Recall@20 and MRR (see
matching/matches/evaluation.py for the formulas) for the full matcher and for the text-only
baseline (the search score alone), averaged over the needs that are in both files and have a
relevant judgement. Results are identified by their `source_id` (R0001…), as in the qrels file.

`--json` prints exactly {"full": {"ndcg@10": x, "recall@20": x, "mrr": x}, "baseline": {...}}.

Both files are read by the readers of `kernel.tabular`, as the listing import reads its files:
the needs with `read_table` (a JSON list of records; CSV and XLSX with the same columns work
too), the judgements with `load_json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kernel.tabular import TableFileError, load_json, read_table
from matching.matcher import match_needs_unsaved
from matching.matches.evaluation import evaluate_run
from matching.search import get_search_backend

RANK_DEPTH = 20  # Recall@20 needs the top 20; nDCG@10 and MRR use the same lists.


def _needs(path: str) -> list[dict[str, Any]]:
    """The need records of the file `path` (`kernel.tabular.read_table`)."""
    try:
        table = read_table(Path(path))
    except TableFileError as exc:
        raise CommandError(f"The needs file: {exc}") from exc
    if any(row.problem for row in table.rows):
        raise CommandError("The needs file must hold a list of need records.")
    return [row.values for row in table.rows]


def _qrels(path: str) -> Any:
    """The judgements in the JSON file `path` (`kernel.tabular.load_json`)."""
    try:
        return load_json(Path(path))
    except TableFileError as exc:
        raise CommandError(f"The qrels file: {exc}") from exc


class Command(BaseCommand):
    help = (
        "Evaluate the matcher (and the text-only baseline) on judged needs: nDCG@10, "
        "Recall@20, MRR. Needs are scored without being saved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--needs", required=True, help="needs in the needs.json format")
        parser.add_argument(
            "--qrels", required=True, help='judgements {"need_id": {"result_id": grade}}'
        )
        parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
        parser.add_argument(
            "--backend", default="default", help="name of a SEARCH_BACKENDS entry"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        needs = _needs(options["needs"])
        qrels = _qrels(options["qrels"])
        if not isinstance(qrels, dict) or not all(isinstance(v, dict) for v in qrels.values()):
            raise CommandError('The qrels file must map need ids to {"result_id": grade}.')
        judged = [n for n in needs if str(n.get("id")) in qrels]
        if not judged:
            raise CommandError("No need in the needs file has judgements in the qrels file.")

        try:
            backend = get_search_backend(options["backend"])
        except ImproperlyConfigured as exc:  # an unknown name or a misconfigured backend
            raise CommandError(str(exc)) from exc

        rankings = match_needs_unsaved(judged, limit=RANK_DEPTH, backend=backend)
        full = evaluate_run({r.need_id: r.full for r in rankings}, qrels)
        baseline = evaluate_run({r.need_id: r.baseline for r in rankings}, qrels)

        if options["json"]:
            self.stdout.write(
                json.dumps({"full": full.as_dict(), "baseline": baseline.as_dict()})
            )
            return
        rows = [("nDCG@10", "ndcg@10"), ("Recall@20", "recall@20"), ("MRR", "mrr")]
        full_d, base_d = full.as_dict(), baseline.as_dict()
        self.stdout.write(f"{'metric':<12}{'full':>10}{'baseline':>10}{'delta':>10}")
        for label, key in rows:
            delta = full_d[key] - base_d[key]
            self.stdout.write(f"{label:<12}{full_d[key]:>10.4f}{base_d[key]:>10.4f}{delta:>+10.4f}")
        self.stdout.write(f"needs evaluated: {full.count}")
