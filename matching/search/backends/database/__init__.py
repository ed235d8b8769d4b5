"""The embedded search backend (the default; needs no service).

- `backend`: `DatabaseSearchBackend`, the `BaseSearchBackend` over the project database;
- `rows`: the `SearchEntry` table: rows written from documents, the ORM filter of a query;
- `state`: the rows' postings and BM25 statistics kept in process, and their refresh;
- `scoring`: BM25 scoring of a query plan (`matching.search.analysis`);
- `highlights`: snippets with the matched terms marked.

Settings name the backend `matching.search.backends.database.DatabaseSearchBackend`.
"""

from matching.search.backends.database.backend import DatabaseSearchBackend

__all__ = ["DatabaseSearchBackend"]
