"""Kill a build anywhere, rerun, same results.

The reference is the shared smoke build (conftest), an uninterrupted build from scratch,
made by another worker while this one kills its own: the killed-and-rerun build must equal
it byte for byte, which also holds only because two clean builds of the same config are
identical. The smoke preset checkpoints every epoch, so kills that land in training also
exercise resuming from a checkpoint.
"""
import pytest

from conftest import SMOKE
from kill_anywhere import kill_and_compare


@pytest.mark.build
@pytest.mark.xdist_group("kill_anywhere")
def test_killed_anywhere_and_rerun_gives_the_same_paper(request, tmp_path):
    lines = []
    result = kill_and_compare([SMOKE], kills=3, seed=1, root=tmp_path,
                              reference=lambda: request.getfixturevalue("smoke_build"),
                              log=lines.append)
    report = "\n".join(lines)
    assert result["landed"] >= 2, report
    assert result["unreadable"] == [], report
    assert result["leftovers"] == [], report
    assert result["differences"] == [], report
    assert result["compared"] > 50, report
