"""Layer 5, evaluation: the gold question set and its scored run (``gold``), SQuAD's
metrics (``metrics``) and bounds files (``bounds``), behind ``qabot eval`` and the scripts
in ``eval/``; the report's text is the user interface's (``qabot.ui.report``)."""
