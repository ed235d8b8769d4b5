"""The embedded search backend on Tantivy (see `backend`). This package is the only importer
of `tantivy`; product code names only `TantivySearchBackend`, by its dotted path in settings."""

from matching.search.backends.tantivy.backend import TantivySearchBackend

__all__ = ["TantivySearchBackend"]
