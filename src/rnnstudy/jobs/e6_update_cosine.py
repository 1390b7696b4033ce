"""Job: E6's cosine curves, for every candidate of every cell (the selected one marked)."""
import logging

import pandas as pd

from ..analysis.e6_update_cosine import update_cosine
from ..atomic import write_csv
from ..provenance import stamp
from ..results import read_results
from .selected import columns_first, load_selected

log = logging.getLogger(__name__)


def cosine_curves(*, final: list[str], metrics: list[str], weights: list[str], curves: str,
                  params: dict, run: dict) -> None:
    frames = []
    for identity, final_path, metrics_path, weights_path in zip(params["cells"], final, metrics,
                                                                weights, strict=True):
        chosen = load_selected(identity, final_path, weights_path, params["min_val_acc"])
        # [E+1, P, N'], N' the columns studied as W (params["include_embedding"])
        trajectory = chosen.saved["trajectory"][..., chosen.model.columns(
            params["include_embedding"])]
        members = read_results(final_path, ("init", "epochs", "val_acc")).set_index("init")
        history = read_results(metrics_path, ("init", "epoch", "val_acc"))
        history = history.set_index(["init", "epoch"])
        for init in members.index:
            epochs = int(members.loc[init, "epochs"])
            cosine = update_cosine(trajectory[:epochs + 1, init])
            frames.append(columns_first(pd.DataFrame({
                "init": init,
                "epoch": range(1, epochs + 1),
                "cosine": cosine.numpy(),
                "val_acc": [history.loc[(init, e), "val_acc"] for e in range(1, epochs + 1)],
                "final_val_acc": members.loc[init, "val_acc"],
                "selected": init == chosen.member,
            }), chosen.columns()))
        log.info("%s: %s", identity, chosen.selection)
    write_csv(curves, stamp(pd.concat(frames, ignore_index=True), run, "cpu"))
