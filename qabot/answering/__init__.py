"""The answering pipeline, one step a module, each with typed input and output:

    query       question text -> ``Query`` (terms, weights, expected answer kind)
    candidates  ``Query`` + retrieved ``Hit``s -> ``Candidate`` sentences and runs of sentences
    features    ``Query`` + ``Candidate``s -> a feature matrix (named columns)
    model       feature matrix -> probabilities (weights fitted by eval/train_answerer.py)
    decide      probabilities -> ``Decision`` (the answer's sentences, or none, and confidence)
    compose     ``Decision`` -> the public ``Answer`` with exact citations

``followup`` rewrites a question against the conversation before ``query`` reads it.
"""
