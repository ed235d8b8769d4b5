"""Patent numbers of research results in their one canonical form (marketplace.patent_numbers):
application numbers without ZL/CN and with their check character after a dot, publication
numbers as CN + 9 digits + kind code. A stored application number without its check character
gets it computed. A stored value that is no patent number at all cannot be repaired here: it
is left as it is and listed in a warning, and the listing's edit form refuses it until an
owner corrects it."""

import logging

from django.core.exceptions import ValidationError
from django.db import migrations, models

import marketplace.patent_numbers

logger = logging.getLogger(__name__)


def canonicalise(apps, schema_editor):
    ResearchResult = apps.get_model("marketplace", "ResearchResult")
    rows = ResearchResult.objects.exclude(patent_no="").values_list("pk", "patent_no")
    for pk, value in rows.iterator():
        try:
            canonical = marketplace.patent_numbers.canonical_patent_number(
                value, complete_check=True
            )
        except ValidationError as exc:
            logger.warning(
                "Research result %s keeps its patent number %r: %s", pk, value, exc.messages[0]
            )
            continue
        if canonical != value:
            ResearchResult.objects.filter(pk=pk).update(patent_no=canonical)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0003_payments"),
    ]

    operations = [
        migrations.AlterField(
            model_name="researchresult",
            name="patent_no",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Application number with its check character (e.g. 202110123456.7) or "
                    "publication number (e.g. CN112345678A)."
                ),
                max_length=40,
                validators=[marketplace.patent_numbers.validate_patent_number],
                verbose_name="patent number",
            ),
        ),
        migrations.RunPython(canonicalise, migrations.RunPython.noop),
    ]
