"""The shared kernel: code every Keqiao app may use, owned by none of them.

What belongs here: building blocks without a domain of their own — parsing and formatting of
values (`money`: CNY amounts; `cells`: text, lists, dates, choices and whole numbers from
spreadsheet or JSON cells), readers of uploaded tables (`tabular`: JSON/CSV/XLSX into rows;
`spreadsheets`: the safety checks of uploads and downloads); the error types services raise
(`errors`); the API plumbing (`api`: the error shape, pagination, parsers, OpenAPI schema
corrections, rate limits); the web plumbing (`web`: request_actor, run_service;
`error_views`: the site's error pages; `query_string`: the middleware refusing non-UTF-8 query
strings); row locks (`locking`); the PDF renderer (`pdf`) and a function in a child process with
limits (`child_process`); the base of the worker commands (`polling`) with its retry delays
(`backoff`); invisible Unicode characters in user text (`invisible_text`).

What does not: Django models, and anything that knows about listings, organisations,
roadshows, matches or agreements. The kernel imports nothing from `marketplace`, `matching`,
`projects` or `contracts` (an import-linter layer in pyproject.toml checks it); Django and
outside libraries are fine.
"""
