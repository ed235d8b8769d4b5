"""manage.py grow_knowledge [--results F] [--needs F] [--kinds problem,ipc] [--check]

Grows the problem-to-technology knowledge from the listings (`matching.knowledge.mining`) and
writes it to `matching/knowledge/grown_rules.tsv` (or `--output`). The listings are the
bundled files `data/results.json` and `data/needs.json` by default (the needs.json format; a
field is its label, 新材料, or its code), or with `--published` the database's published
listings. Relevance judgements are never read.

The file's version goes up by one when its rules change; when they do not, the file is left as
it is. `--dry-run` prints the file instead of writing it. `--check` only reads the grown and
the curated files and lists their bad lines (exit status 1 when there are any).

`--kinds` says which kinds of rules to grow (default: `DEFAULT_KINDS`, the kinds that helped
on the dev judgements; see DESIGN.md, "Problem-to-technology knowledge").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kernel.tabular import TableFileError, read_table
from marketplace.listing_records import KIND_NEED, KIND_RESULT, SPECS, parse_listing_record
from matching.knowledge import mining
from matching.knowledge.rules import (
    CURATED_PATH,
    GROWN_PATH,
    KINDS,
    Kind,
    parse,
)
from matching.scoring import RELATED_FIELDS

#: The kinds grown unless --kinds says otherwise: those that helped on the dev judgements.
DEFAULT_KINDS: tuple[Kind, ...] = ("field",)

#: The model field of each kind's description.
_BODY = {KIND_RESULT: "summary", KIND_NEED: "description"}


def _listing(
    kind: str, listing_id: str, values: Mapping[str, Any], organisation: str
) -> mining.Listing:
    """A listing as the mining sees it, from its model field values."""
    return mining.Listing(
        id=listing_id,
        kind="result" if kind == KIND_RESULT else "need",
        field=str(values.get("field") or ""),
        title=str(values.get("title") or ""),
        text=str(values.get(_BODY[kind]) or ""),
        keywords=tuple(str(k).strip() for k in values.get("keywords") or () if str(k).strip()),
        ipc=tuple(str(s).strip() for s in values.get("ipc") or () if str(s).strip()),
        organisation=organisation,
    )


def listings(results: Path, needs: Path) -> list[mining.Listing]:
    """The listings of the two files, read as the listing import reads them
    (`kernel.tabular.read_table`, `marketplace.listing_records`: labels of fields become codes,
    keyword and IPC lists are split); a cell that breaks a rule is left blank."""
    found: list[mining.Listing] = []
    for kind, path in ((KIND_RESULT, results), (KIND_NEED, needs)):
        try:
            rows = read_table(path).rows
        except TableFileError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        for row in rows:
            parsed = parse_listing_record(SPECS[kind], row.values)
            listing_id = parsed.values.get("source_id") or f"{kind[0].upper()}#{row.number}"
            found.append(_listing(kind, listing_id, parsed.values, parsed.owner_name))
    return found


def published_listings() -> list[mining.Listing]:
    """The searchable (published, not expired) listings of the database as the mining sees
    them; a listing's id is its `source_id` (R0001…) or its kind's letter and primary key."""
    from marketplace.models import ResearchResult, TechnologyNeed
    from marketplace.selectors import listing_searchable_q

    found: list[mining.Listing] = []
    for model, kind in ((ResearchResult, KIND_RESULT), (TechnologyNeed, KIND_NEED)):
        rows = model.objects.filter(listing_searchable_q(model)).select_related("owner")
        for row in rows.order_by("pk"):
            values = {name: getattr(row, name) for name in ("field", "title", "keywords", "ipc")}
            values[_BODY[kind]] = row.body
            listing_id = row.source_id or f"{kind[0].upper()}#{row.pk}"
            found.append(_listing(kind, listing_id, values, row.owner.legal_name))
    return found


def _kinds(text: str) -> tuple[Kind, ...]:
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in KINDS]
    if unknown:
        raise CommandError(f"Unknown kinds: {', '.join(unknown)} (use {', '.join(KINDS)}).")
    return tuple(kind for kind in KINDS if kind in wanted)


class Command(BaseCommand):
    help = "Grow the problem-to-technology rules from the listings (matching/knowledge/)."

    def add_arguments(self, parser: CommandParser) -> None:
        data = Path(settings.BASE_DIR) / "data"
        parser.add_argument("--results", default=str(data / "results.json"))
        parser.add_argument("--needs", default=str(data / "needs.json"))
        parser.add_argument(
            "--published",
            action="store_true",
            help="grow from the database's published listings instead of the files",
        )
        parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS))
        parser.add_argument("--output", default=str(GROWN_PATH))
        parser.add_argument("--min-listings", type=int, default=mining.GrowthSettings.min_listings)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        if options["check"]:
            self._check(output)
            return
        from matching.search import segment

        if options["published"]:
            corpus = published_listings()
        else:
            corpus = listings(Path(options["results"]), Path(options["needs"]))
        if options["min_listings"] < 1:
            raise CommandError("--min-listings must be at least 1.")
        growth = mining.GrowthSettings(min_listings=options["min_listings"])
        rules = mining.grow(
            corpus,
            growth,
            segment.domain_words,
            kinds=_kinds(options["kinds"]),
            known_fields=RELATED_FIELDS,
        )
        old = parse(output.read_text(encoding="utf-8")) if output.is_file() else None
        if old is not None and [r.line() for r in old.rules] == [r.line() for r in rules]:
            self.stdout.write(f"{output}: unchanged, version {old.version}, {len(rules)} rules.")
            return
        version = (old.version if old else 0) + 1
        text = mining.render(
            rules,
            version=version,
            digest=mining.corpus_digest(corpus),
            day=timezone.localdate().isoformat(),
        )
        if options["dry_run"]:
            self.stdout.write(text, ending="")
            return
        partial = output.with_suffix(".tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(output)
        self.stdout.write(f"{output}: version {version}, {len(rules)} rules.")

    def _check(self, output: Path) -> None:
        bad = 0
        for path, curated in ((output, False), (CURATED_PATH, True)):
            if not path.is_file():
                continue
            parsed = parse(path.read_text(encoding="utf-8"), curated=curated)
            for problem in parsed.problems:
                self.stdout.write(f"{path}: {problem}")
            bad += len(parsed.problems)
            self.stdout.write(f"{path}: version {parsed.version}, {len(parsed.rules)} rules.")
        if bad:
            raise CommandError(f"{bad} bad lines.")
