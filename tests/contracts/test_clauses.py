"""Clause templates: every contract type and sub-type covers Civil Code Art. 845."""

from __future__ import annotations

import pytest

from contracts.choices import PATENT_SUBTYPES, SUBTYPES, ContractSubtype, ContractType
from contracts.clauses import (
    ART_845_CLAUSE_KEYS,
    PATENT_FIELD_KEYS,
    PLACEHOLDER,
    TEMPLATES,
    template_for,
)

PAIRS = [(t, s) for t, subs in SUBTYPES.items() for s in subs]


def test_all_art_843_types_and_their_subtypes_have_templates():
    assert {t for t, _ in PAIRS} == set(ContractType.values)
    assert set(TEMPLATES) == set(PAIRS)
    assert set(SUBTYPES[ContractType.DEVELOPMENT]) == {
        ContractSubtype.COMMISSIONED_DEVELOPMENT,
        ContractSubtype.JOINT_DEVELOPMENT,
    }
    assert set(SUBTYPES[ContractType.TRANSFER]) == {
        ContractSubtype.PATENT_ASSIGNMENT,
        ContractSubtype.PATENT_APPLICATION_ASSIGNMENT,
        ContractSubtype.KNOW_HOW_TRANSFER,
    }
    assert set(SUBTYPES[ContractType.LICENCE]) == {
        ContractSubtype.PATENT_LICENCE,
        ContractSubtype.KNOW_HOW_LICENCE,
    }


@pytest.mark.parametrize(("contract_type", "subtype"), PAIRS)
def test_every_template_has_all_art_845_clauses(contract_type, subtype):
    template = template_for(contract_type, subtype)
    keys = template.clause_keys
    assert set(ART_845_CLAUSE_KEYS) <= set(keys)
    assert len(keys) == len(set(keys)), "clause keys are unique"
    for clause in template.clauses:
        assert clause.title_zh and clause.title_en and clause.source, clause.key
        assert clause.source.startswith(("民法典", "专利法")) or "民法典" in clause.source


@pytest.mark.parametrize(("contract_type", "subtype"), PAIRS)
def test_default_texts_format_with_a_drafting_context(contract_type, subtype):
    texts = template_for(contract_type, subtype).default_clauses(
        {"project_name": "项目", "result_title": "成果", "result_summary": "摘要"}
    )
    assert texts["project_name"] == "项目"
    assert all("{" not in text for text in texts.values())
    # Facts only the parties know are left as visible placeholders.
    assert any(PLACEHOLDER in text for text in texts.values())


def test_patent_subjects_are_the_patent_subtypes():
    patent = {(t, s) for (t, s), tpl in TEMPLATES.items() if tpl.patent_subject}
    assert {s for _, s in patent} == set(PATENT_SUBTYPES)
    assert set(PATENT_FIELD_KEYS) == {
        "invention_name",
        "patentee",
        "application_date",
        "application_no",
        "patent_no",
        "valid_until",
    }
