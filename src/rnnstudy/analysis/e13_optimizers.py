"""E13 (seed 000 §V, Fig. 11-12): optimizers compared on one palindrome task (E15's), each at
its best learning rate of one shared grid.

A run's score is the area under its accuracy curve (analysis/e15_palindromes.runs): high for
a run that converges early, lower for one that converges late, lowest for one that never
learns. An optimizer's best learning rate is the one whose replicates have the highest mean
score (chosen on the same replicates the comparison uses, for every optimizer alike).
"""
import pandas as pd

POINT = ["optimizer", "model", "length", "hidden_dim"]


def rate_scores(run_table: pd.DataFrame) -> pd.DataFrame:
    """Per optimizer × learning rate: its replicates' mean score (and range), how many
    converged, their median step of convergence, how many diverged; `best` marks each
    optimizer's learning rate with the highest mean score (the smaller rate on a tie)."""
    rows = (run_table.groupby(POINT + ["lr"], as_index=False, sort=True)
            .agg(score=("score", "mean"), score_low=("score", "min"),
                 score_high=("score", "max"), replicates=("replicate", "count"),
                 converged=("converged", "sum"),
                 median_converged_at=("converged_at", "median"),
                 diverged=("diverged", "sum")))
    rows["converged"] = rows["converged"].astype(int)
    rows["diverged"] = rows["diverged"].astype(int)
    best = rows.groupby(POINT, sort=False)["score"].idxmax()  # the first (smaller lr) on a tie
    rows["best"] = rows.index.isin(best)
    return rows.reset_index(drop=True)
