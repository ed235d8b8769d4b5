"""`manage.py import_listings PATH`: import research results or technology needs from a JSON,
CSV or XLSX file (see marketplace.importing for formats and rules).

Exit status is non-zero (CommandError) when the file cannot be read or, without
--skip-invalid, when any row is invalid (then nothing is written and each problem is listed).
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from marketplace.importing import (
    IMPORT_STATUSES,
    KIND_RESULT,
    KINDS,
    ImportFileError,
    ImportReport,
    format_error_table,
    import_listings,
)


def summary_line(report: ImportReport) -> str:
    """``Imported 181 research results (181 created, 0 updated) / 已导入 181 项科技成果（新建 181
    项，更新 0 项）``: English and Chinese, as the other commands print."""
    count = report.created + report.updated
    if report.kind == KIND_RESULT:
        english, chinese = "research results", "项科技成果"
    else:
        english, chinese = "technology needs", "项企业技术需求"
    return (
        f"Imported {count} {english} ({report.created} created, {report.updated} updated)"
        f" / 已导入 {count} {chinese}（新建 {report.created} 项，更新 {report.updated} 项）"
    )


class Command(BaseCommand):
    help = (
        "Import research results or technology needs from a JSON, CSV or XLSX file; "
        "re-imports update listings by their source id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a .json, .csv or .xlsx file")
        parser.add_argument(
            "--kind",
            choices=KINDS,
            help="result or need (default: detected from the columns)",
        )
        parser.add_argument(
            "--status",
            choices=IMPORT_STATUSES,
            default="published",
            help=(
                "status of new listings (default: published). published also publishes "
                "existing listings (keeping their first publication date); draft applies to "
                "new listings only, existing ones keep their status. A re-import never "
                "changes a listing's owner organisation (that is a row error)."
            ),
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and report the invalid ones",
        )
        parser.add_argument(
            "--by", metavar="USERNAME", help="user recorded as creator and reviewer"
        )
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["by"]:
            user_model = get_user_model()
            try:
                actor = user_model._default_manager.get_by_natural_key(options["by"])
            except user_model.DoesNotExist:
                raise CommandError(
                    f"No user named {options['by']!r}. / 用户 {options['by']!r} 不存在。"
                ) from None
        try:
            report = import_listings(
                path=options["path"],
                kind=options["kind"],
                status=options["status"],
                skip_invalid=options["skip_invalid"],
                actor=actor,
                progress=not options["no_progress"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None

        if report.ignored_columns:
            self.stderr.write(
                "Ignored unknown columns / 已忽略未知列: " + ", ".join(report.ignored_columns)
            )
        if report.errors:
            self.stdout.write(format_error_table(report.errors))
        if not report.imported:
            raise CommandError(
                f"Nothing was imported: {report.invalid_rows} invalid row(s); fix them or use "
                f"--skip-invalid. / 未导入任何数据：{report.invalid_rows} 行有误，请修改或使用 "
                "--skip-invalid。"
            )
        if report.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"Skipped {report.skipped} invalid row(s). "
                    f"/ 已跳过 {report.skipped} 行有误数据。"
                )
            )
        self.stdout.write(self.style.SUCCESS(summary_line(report)))
