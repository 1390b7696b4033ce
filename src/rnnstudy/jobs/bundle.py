"""Job: pack what training and evaluation made into one archive (see rnnstudy.bundle)."""
from ..bundle import pack


def make_bundle(files: list[str], bundle: str, params: dict, run: dict) -> None:
    """`files` (the rule's list, paths under results/) into `bundle`, with a manifest that
    records the run's provenance and its config (`params["config"]`)."""
    pack(files, bundle, params["config"], run)
