"""Every stylesheet we serve parses as flat CSS: each rule's body is a list of declarations.

A rule left unclosed is not a CSS syntax error (the parser closes it at the end of the file),
so it silently swallows every rule after it as invalid declarations. That is what this test
catches, with tinycss2 (WeasyPrint's CSS parser, already installed). We write no nested CSS.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2

STATIC = Path(__file__).resolve().parents[2] / "static"
STYLESHEETS = sorted(p for p in STATIC.rglob("*.css") if "vendor" not in p.parts)


def _broken_declarations(rules: list[object], sheet: Path) -> list[str]:
    problems = []
    for rule in rules:
        if isinstance(rule, tinycss2.ast.ParseError):
            problems.append(f"{sheet.name}:{rule.source_line}: {rule.message}")
        elif isinstance(rule, tinycss2.ast.AtRule) and rule.content is not None and (
            rule.at_keyword in ("media", "supports")
        ):
            problems += _broken_declarations(
                tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True),
                sheet,
            )
        elif isinstance(rule, tinycss2.ast.QualifiedRule):
            for item in tinycss2.parse_declaration_list(
                rule.content, skip_whitespace=True, skip_comments=True
            ):
                if isinstance(item, tinycss2.ast.ParseError):
                    problems.append(f"{sheet.name}:{item.source_line}: {item.message}")
    return problems


@pytest.mark.parametrize("sheet", STYLESHEETS, ids=lambda p: str(p.relative_to(STATIC)))
def test_every_rule_of_a_stylesheet_is_closed_and_holds_declarations_only(sheet: Path) -> None:
    rules = tinycss2.parse_stylesheet(
        sheet.read_text(encoding="utf-8"), skip_whitespace=True, skip_comments=True
    )
    assert _broken_declarations(rules, sheet) == []
