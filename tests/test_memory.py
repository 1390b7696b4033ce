"""Freed memory is reused: evaluating settings again and again faults in no new pages."""
import subprocess
import sys

import pytest

# Evaluates 500 random GRU settings on 2,000 sequences: two passes to grow the heap to its
# working size, then prints the page faults of four more. With glibc's defaults these
# passes fault in 7,000 to 90,000 pages each on most runs (some runs happen to settle):
# every step's multi-megabyte tensors come from fresh pages.
SCRIPT = """
import resource, torch
from rnnstudy.memory import keep_freed_memory
assert keep_freed_memory()
from rnnstudy.analysis.e5_landscape import evaluate_settings
from rnnstudy.models.classifier import PopulationClassifier
from rnnstudy.data.split import Split
torch.set_num_threads(1)
tokens = torch.randint(0, 10, (2000, 10), generator=torch.Generator().manual_seed(0))
split = Split(tokens, (tokens[:, 0] > 4).long())
model = PopulationClassifier("gru", 10, 4, 4)
for _ in range(2):
    evaluate_settings(model, 1, 0, 500, split, torch.float32)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(4):
    evaluate_settings(model, 1, 0, 500, split, torch.float32)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux's")
def test_repeated_evaluation_reuses_freed_memory():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    faults = int(done.stdout.split()[-1])
    assert faults < 5000, f"{faults} page faults in four passes with freed memory kept"
