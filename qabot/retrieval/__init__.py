"""Layer 3, retrieval: the BM25 index, its checked on-disk store, sentence embeddings, and
the ``Retriever`` that turns a query into ranked, cited ``Hit`` records."""
