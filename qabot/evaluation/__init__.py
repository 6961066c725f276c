"""Layer 5, evaluation: the gold question set, the metrics, the report and the bounds
check behind ``qabot eval`` and the scripts in ``eval/``."""
