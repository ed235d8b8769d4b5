"""Problem-to-technology knowledge: one-way rules (a stated problem ⇒ the technologies that
solve it) and field/IPC links, grown from the listings (`mining`, `manage.py grow_knowledge`)
and hand-checked (`curated_rules.tsv`), read by `rules`. The matcher's related terms
(`matching.search.analysis.related_terms`) and the scorer's keyword and field components use
them. Pure Python: this package imports nothing of Django (the scorer reads it)."""
