"""The shared kernel: code every Keqiao app may use, owned by none of them.

What belongs here: building blocks without a domain of their own — parsing and formatting of
values (`money`: CNY amounts; `cells`: text, lists, dates, choices and whole numbers from
spreadsheet or JSON cells), readers of uploaded tables (`tabular`: JSON/CSV/XLSX into rows;
`spreadsheets`: the safety checks of uploads and downloads). Later also the error types, the
API plumbing, the web helpers and the PDF renderer.

What does not: Django models, and anything that knows about listings, organisations,
roadshows, matches or agreements. The kernel imports nothing from `marketplace`, `matching`,
`projects` or `contracts` (an import-linter layer in pyproject.toml checks it); Django and
outside libraries are fine.
"""
