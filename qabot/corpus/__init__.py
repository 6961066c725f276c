"""Layer 2, corpus: files to ``Document`` records (formats, headers, the warm-start folder
cache, the citation staleness check) and documents to passages."""
