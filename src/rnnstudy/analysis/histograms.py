"""Statistics of histograms (E5's accuracy distributions), without expanding them."""
import numpy as np
import pandas as pd


def histogram_frame(histogram: np.ndarray) -> pd.DataFrame:
    """Non-empty bins: correct sequences, accuracy, number of settings."""
    n = len(histogram) - 1
    correct = np.flatnonzero(histogram)
    return pd.DataFrame({"correct": correct, "accuracy": correct / n,
                         "settings": histogram[correct]})


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs) -> np.ndarray:
    """Quantiles of a histogram (values sorted ascending, weights = counts)."""
    cumulative = np.cumsum(weights)
    return np.array([values[np.searchsorted(cumulative, q * cumulative[-1], side="left")]
                     for q in qs])


def ks_distance(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Kolmogorov–Smirnov distance between two accuracy histograms."""
    grid = np.union1d(a["accuracy"], b["accuracy"])

    def cdf(h):
        cum = np.cumsum(h["settings"].to_numpy()) / h["settings"].sum()
        return np.concatenate([[0.0], cum])[np.searchsorted(h["accuracy"].to_numpy(), grid, "right")]

    return float(np.abs(cdf(a) - cdf(b)).max())
