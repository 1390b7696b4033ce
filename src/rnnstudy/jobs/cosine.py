"""Job: E6's cosine curves, for every candidate of every cell (the selected one marked)."""
import logging

import pandas as pd

from ..analysis.update_cosine import update_cosine
from ..results import read_results
from ..atomic import write_csv
from ..provenance import stamp
from .selected import columns_first, load_selected

log = logging.getLogger(__name__)


def cosine_curves(cells: list[dict], finals: list[str], metrics: list[str], weights: list[str],
                  params: dict, table_path: str, run: dict) -> None:
    frames = []
    for identity, final_path, metrics_path, weights_path in zip(cells, finals, metrics, weights,
                                                                strict=True):
        chosen = load_selected(identity, final_path, weights_path, params["min_val_acc"])
        trajectory = chosen.saved["trajectory"]  # [E+1, P, N]
        final = read_results(final_path, ("init", "epochs", "val_acc")).set_index("init")
        history = read_results(metrics_path, ("init", "epoch", "val_acc")).set_index(["init", "epoch"])
        for init in final.index:
            epochs = int(final.loc[init, "epochs"])
            cosine = update_cosine(trajectory[:epochs + 1, init])
            frames.append(columns_first(pd.DataFrame({
                "init": init,
                "epoch": range(1, epochs + 1),
                "cosine": cosine.numpy(),
                "val_acc": [history.loc[(init, e), "val_acc"] for e in range(1, epochs + 1)],
                "final_val_acc": final.loc[init, "val_acc"],
                "selected": init == chosen.member,
            }), chosen.columns()))
        log.info("%s: %s", identity, chosen.selection)
    write_csv(table_path, stamp(pd.concat(frames, ignore_index=True), run, "cpu"))
