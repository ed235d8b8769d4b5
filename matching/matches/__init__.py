"""Explained matches: the matches API and web pages over `matching.matcher`, and the ranking
metrics of the `evaluate_matching` command (`evaluation`)."""
