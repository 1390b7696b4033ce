"""Seeds derived from a run's identity.

Every random draw in the pipeline comes from a generator seeded by `derive_seed(...)` of the
things that identify it (root seed, task, model, shape, init index, epoch...). A draw therefore
never depends on which other cells exist or in which order jobs ran.
"""
import hashlib


def derive_seed(*identity: object) -> int:
    """A 63-bit seed from the identity's parts (stable across Python runs and machines)."""
    text = "\x1f".join(repr(part) for part in identity)
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little") >> 1
