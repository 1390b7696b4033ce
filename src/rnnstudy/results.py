"""Reading a results table another job wrote, refusing a missing or damaged one by name."""
import pandas as pd

from .errors import PipelineError


class ResultsError(PipelineError):
    """A results file that is missing, empty or not a complete table."""


def read_results(path, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """The CSV at `path`; `required` columns must be present."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            if f.tell() and (f.seek(-1, 2), f.read(1))[1] != b"\n":
                # pandas would read a line cut short as a row padded with NaN
                raise ResultsError(f"results file {path} is cut short (no final newline); "
                                   "delete it and rerun the workflow")
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise ResultsError(f"results file {path} does not exist; rerun the workflow "
                           "(snakemake --rerun-incomplete) to make it") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ResultsError(f"results file {path} is empty or damaged ({error}); delete it "
                           "and rerun the workflow") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ResultsError(f"results file {path} lacks columns {missing}; delete it and rerun "
                           "the workflow")
    return frame


def read_shards(paths, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """The shards' tables one under the other (each read as `read_results`)."""
    return pd.concat([read_results(p, required) for p in paths], ignore_index=True)
