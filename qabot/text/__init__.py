"""Layer 1, text: words and their forms (tokenizer, stemming, word lists), sentences and
paragraphs, dates and times, names. Reads no file and knows no corpus."""
