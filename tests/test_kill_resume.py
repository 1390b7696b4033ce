"""Kill a build anywhere, rerun, same results; two clean builds give identical tables.

The reference is the shared smoke build (conftest). The smoke preset checkpoints every
epoch, so kills that land in training also exercise resuming from a checkpoint.
"""
from conftest import SMOKE
from kill_anywhere import build, copy_workflow, differences, kill_and_compare


def test_two_clean_builds_are_identical(smoke_build, tmp_path):
    again = copy_workflow(tmp_path / "again")
    build(again, [SMOKE])
    assert differences(smoke_build, again) == []


def test_killed_anywhere_and_rerun_gives_the_same_paper(timed_smoke_build, tmp_path):
    lines = []
    result = kill_and_compare([SMOKE], kills=3, seed=1, root=tmp_path,
                              reference=timed_smoke_build, log=lines.append)
    report = "\n".join(lines)
    assert result["landed"] >= 2, report
    assert result["unreadable"] == [], report
    assert result["leftovers"] == [], report
    assert result["differences"] == [], report
    assert result["compared"] > 50, report
