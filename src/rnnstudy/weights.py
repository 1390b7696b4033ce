"""Reading a training job's weights file (written by jobs/train.py), refusing a bad one."""
import pickle
import zipfile

import torch

from .errors import PipelineError
from .models.classifier import PopulationClassifier


class WeightsError(PipelineError):
    """A weights file that is missing, truncated or not what it claims to be."""


def load_weights(path) -> dict:
    """The dict a training job saved: model, inits, init_seeds, params, fixed[, trajectory]."""
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightsError(f"weights file {path} does not exist; rerun the workflow to make it")
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile,
            pickle.UnpicklingError) as error:
        raise WeightsError(f"weights file {path} is corrupt or truncated ({error}); "
                           "delete it and rerun the workflow") from None
    missing = {"model", "inits", "init_seeds", "params", "fixed"} - set(saved if isinstance(
        saved, dict) else {})
    if missing:
        raise WeightsError(f"weights file {path} lacks {sorted(missing)}")
    return saved


def classifier_of(saved: dict) -> PopulationClassifier:
    return PopulationClassifier(**saved["model"])
