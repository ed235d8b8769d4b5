"""The Elasticsearch search backend (selected when `ELASTICSEARCH_URL` is set).

This package is the only importer of the `elasticsearch` client (and `elasticsearch.dsl`).
It answers the same queries as the embedded backend, from the same query plans
(`matching.search.analysis`):

- `mapping`: the index's analysis (our segmentation in token form, the synonym filters),
  mapping and documents;
- `lifecycle`: versioned indices behind an alias, rebuilds with an atomic swap, every write,
  and outages as SearchUnavailable;
- `queries`: the compiler of query plans and filters into the query DSL;
- `highlights`: highlight requests and hits in the embedded backend's form;
- `backend`: `ElasticsearchSearchBackend` (search, counts, more-like-this, autocomplete).

Settings name the backend `matching.search.backends.elasticsearch.ElasticsearchSearchBackend`.
"""

from matching.search.backends.elasticsearch.backend import ElasticsearchSearchBackend

__all__ = ["ElasticsearchSearchBackend"]
