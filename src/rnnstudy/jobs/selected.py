"""The member a selection experiment studies, loaded from its cell's files."""
from dataclasses import dataclass

import pandas as pd
import torch

from ..analysis.selection import select_member
from ..models.classifier import PopulationClassifier
from ..results import read_results
from ..weights import classifier_of, load_weights


@dataclass
class Selected:
    identity: dict  # the cell's identity columns (task, model, input_dim, hidden_dim, ...)
    selection: dict  # select_member's result
    model: PopulationClassifier
    params: torch.Tensor  # [P, N] best-validation weights of every candidate
    fixed: torch.Tensor
    saved: dict  # the whole weights file

    @property
    def member(self) -> int:
        return self.selection["selected_init"]

    def columns(self) -> dict:
        """Identity and selection columns for the experiment's tables."""
        keep = ("task", "model", "input_dim", "hidden_dim")
        return {**{k: self.identity[k] for k in keep}, **self.selection}


def load_selected(identity: dict, final_path: str, weights_path: str,
                  min_val_acc: float) -> Selected:
    saved = load_weights(weights_path)
    selection = select_member(read_results(final_path, ("init", "val_acc")), min_val_acc)
    return Selected(identity, selection, classifier_of(saved), saved["params"], saved["fixed"],
                    saved)


def columns_first(frame: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """`frame` with constant `columns` put in front."""
    return pd.concat([pd.DataFrame({k: [v] * len(frame) for k, v in columns.items()},
                                   index=frame.index), frame], axis=1)
