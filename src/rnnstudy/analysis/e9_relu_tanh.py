"""E9: is it the ReLU or the identity init that lowers the IRNN's capacity? (seed 000 §IV.B,
Collins et al. 2017 Fig. 2a). E8's best points of the tanh RNN, the ReLU RNN (Gaussian
recurrent init) and the IRNN (ReLU, identity init, zero biases), per depth and budget."""
import pandas as pd

from ..provenance import COLUMNS

MODELS = ("rnn", "rnn_relu", "irnn")


def comparison(points: pd.DataFrame) -> pd.DataFrame:
    """One row per depth, budget and model of MODELS, with its bits per parameter over the
    tanh RNN's at the same depth and budget (empty where E8 has no tanh RNN there)."""
    keep = ["layers", "budget", "model", "parameters", "bits_per_param", "bits_per_param_low",
            "bits_per_param_high"]
    frame = points[points["model"].isin(MODELS)][keep + list(COLUMNS)].copy()
    tanh = frame[frame["model"] == "rnn"].set_index(["layers", "budget"])["bits_per_param"]
    at = pd.MultiIndex.from_frame(frame[["layers", "budget"]])
    frame.insert(len(keep), "ratio_to_tanh", frame["bits_per_param"].to_numpy()
                 / tanh.reindex(at).to_numpy())
    frame["model"] = pd.Categorical(frame["model"], MODELS)
    frame = frame.sort_values(["layers", "budget", "model"])
    frame["model"] = frame["model"].astype(str)
    return frame.reset_index(drop=True)
