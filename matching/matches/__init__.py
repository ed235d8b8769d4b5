"""Explained matches: the matches API and web pages over `matching.matcher` (routed by
`matching.urls` and `matching.api_urls`), matches grouped by strength with each strength's
words (`grouping`), and the ranking metrics of the `evaluate_matching` command
(`evaluation`)."""
