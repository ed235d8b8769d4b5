"""manage.py evaluate_matching --needs data/needs.json --qrels data/qrels_dev.json
[--backend NAME ...|--backend all] [--per-need] [--folds K] [--json]

Scores the needs of a needs.json file WITHOUT saving them against the published research results
in the database (through each chosen search backend, whose index must be current: run
`manage.py update_index` first), and prints nDCG@10, Recall@20 and MRR (see
matching/matches/evaluation.py for the formulas) for:
- `full`: the matcher as configured (hybrid: lexical and semantic, when an embedder is on);
- `lexical`: the same matcher without embeddings (MATCHING_EMBEDDER "none");
- `baseline`: the search score alone;
averaged over the needs that are in both files and have a relevant judgement. Results are
identified by their `source_id` (R0001…), as in the qrels file.

`--per-need` adds one line per need (its nDCG@10 for each ranking). `--folds K` cross-validates
the weight of the semantic component and the fusion's k (`matching.matches.evaluation_runs`
grid) and the strength thresholds (`matching.matches.tuning`): per fold, what the other folds
chose and how it did on the fold left out, then the held-out mean against the configured
setting and against the lexical matcher on the same needs.

`--json` prints {"full": {"ndcg@10": x, "recall@20": x, "mrr": x}, "lexical": {...},
"baseline": {...}} for one backend, or {backend name: that} for several.

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
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kernel.tabular import TableFileError, load_json, read_table
from matching.matches.evaluation import RunScores, evaluate_run
from matching.matches.evaluation_runs import BackendRuns, collect, configured_setting, grid
from matching.matches.tuning import cross_validate
from matching.search import backend_names, get_search_backend

RANK_DEPTH = 20  # Recall@20 needs the top 20; nDCG@10 and MRR use the same lists.
RANKINGS = ("full", "lexical", "baseline")


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
        qrels = load_json(Path(path))
    except TableFileError as exc:
        raise CommandError(f"The qrels file: {exc}") from exc
    if not isinstance(qrels, dict) or not all(isinstance(v, dict) for v in qrels.values()):
        raise CommandError('The qrels file must map need ids to {"result_id": grade}.')
    return qrels


def _require_migrated() -> None:
    """CommandError unless every migration is applied (the matcher reads the listings and
    their vectors): as Django's runserver checks, with its migration executor."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            "The database is not migrated (or not set up): run `manage.py migrate`, load the "
            "listings (`manage.py import_listings` or `load_demo`) and `manage.py update_index`."
        )


class Command(BaseCommand):
    help = (
        "Evaluate the matcher (hybrid, lexical-only, and the text-only baseline) on judged "
        "needs: nDCG@10, Recall@20, MRR; per need and cross-validated on request. Needs are "
        "scored without being saved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--needs", required=True, help="needs in the needs.json format")
        parser.add_argument(
            "--qrels", required=True, help='judgements {"need_id": {"result_id": grade}}'
        )
        parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
        parser.add_argument(
            "--backend",
            action="append",
            dest="backends",
            help='name of a SEARCH_BACKENDS entry (repeatable; "all": every configured one)',
        )
        parser.add_argument("--per-need", action="store_true", help="one line per need")
        parser.add_argument(
            "--folds", type=int, default=0, help="cross-validate the tuning with K folds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["folds"] < 0 or options["folds"] == 1:
            raise CommandError("--folds needs at least 2 folds (0: no cross-validation).")
        _require_migrated()
        needs = _needs(options["needs"])
        qrels = _qrels(options["qrels"])
        judged = [n for n in needs if str(n.get("id")) in qrels]
        if not judged:
            raise CommandError("No need in the needs file has judgements in the qrels file.")
        names = options["backends"] or ["default"]
        if "all" in names:
            names = backend_names()
        report: dict[str, dict[str, dict[str, float]]] = {}
        for name in names:
            try:
                backend = get_search_backend(name)
            except ImproperlyConfigured as exc:  # an unknown name or a misconfigured backend
                raise CommandError(str(exc)) from exc
            runs = collect(judged, backend, depth=RANK_DEPTH)
            scores = {key: evaluate_run(getattr(runs, key), qrels) for key in RANKINGS}
            report[name] = {key: value.as_dict() for key, value in scores.items()}
            if not options["json"]:
                self._table(name, runs, scores, len(names) > 1)
                if options["per_need"]:
                    self._per_need(scores, judged)
                if options["folds"]:
                    self._folds(runs, scores["lexical"], qrels, options["folds"])
        if options["json"]:
            self.stdout.write(json.dumps(report[names[0]] if len(names) == 1 else report))

    def _table(
        self, name: str, runs: BackendRuns, scores: dict[str, RunScores], titled: bool
    ) -> None:
        if titled:
            self.stdout.write(f"== backend {name}")
        if not runs.semantic:
            self.stdout.write("(no embeddings: full is lexical only; see update_index)")
        rows = [("nDCG@10", "ndcg@10"), ("Recall@20", "recall@20"), ("MRR", "mrr")]
        values = {key: s.as_dict() for key, s in scores.items()}
        self.stdout.write(f"{'metric':<12}{'full':>10}{'lexical':>10}{'baseline':>10}{'delta':>10}")
        for label, key in rows:
            full, lexical, baseline = (values[r][key] for r in RANKINGS)
            self.stdout.write(
                f"{label:<12}{full:>10.4f}{lexical:>10.4f}{baseline:>10.4f}{full - lexical:>+10.4f}"
            )
        self.stdout.write(f"needs evaluated: {scores['full'].count} (delta: full - lexical)")

    def _per_need(self, scores: dict[str, RunScores], judged: list[dict[str, Any]]) -> None:
        titles = {str(n.get("id")): str(n.get("title", "")) for n in judged}
        self.stdout.write(f"{'need':<8}{'full':>8}{'lexical':>9}{'baseline':>10}  title")
        for need_id in sorted(scores["full"].per_need):
            full, lexical, baseline = (scores[r].per_need[need_id]["ndcg@10"] for r in RANKINGS)
            self.stdout.write(
                f"{need_id:<8}{full:>8.3f}{lexical:>9.3f}{baseline:>10.3f}  {titles[need_id]}"
            )

    def _folds(
        self, runs: BackendRuns, lexical: RunScores, qrels: dict[str, Any], folds: int
    ) -> None:
        try:
            result = cross_validate(
                runs.candidates, qrels, grid(), configured_setting(), folds=folds
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"cross-validation, {folds} folds (held-out needs only):")
        self.stdout.write(
            f"{'fold':<6}{'needs':>6}{'train':>8}{'test':>8}{'config':>8}{'lexical':>9}"
            f"{'strong≥':>9}{'possible≥':>10}{'P(strong)':>10}{'relevant weak':>14}  chosen"
        )
        for i, fold in enumerate(result.folds, start=1):
            fold_lexical = sum(lexical.per_need[n]["ndcg@10"] for n in fold.needs) / len(fold.needs)
            self.stdout.write(
                f"{i:<6}{len(fold.needs):>6}{fold.train_ndcg:>8.3f}{fold.test_ndcg:>8.3f}"
                f"{fold.reference_test_ndcg:>8.3f}{fold_lexical:>9.3f}"
                f"{fold.thresholds.strong:>9.3f}{fold.thresholds.possible:>10.3f}"
                f"{fold.strength.strong_precision:>10.2f}{fold.strength.relevant_weak:>14.2f}"
                f"  {fold.chosen.label()}"
            )
        lexical_mean = sum(lexical.per_need[n]["ndcg@10"] for f in result.folds for n in f.needs)
        count = sum(len(f.needs) for f in result.folds)
        self.stdout.write(
            f"held-out nDCG@10: tuned {result.tuned_ndcg:.4f}, configured "
            f"{result.reference_ndcg:.4f}, lexical {lexical_mean / count:.4f}"
        )
