"""Per-job overhead of SLURM on the test cluster (start it first: start_cluster.sh).

Runs the same trivial jobs (`touch`) with Snakemake locally and through
`--profile profiles/slurm`, one job at a time, and prints the wall times.
Usage: .venv/bin/python tests/slurm/overhead.py [jobs]
"""
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ["--profile", str(ROOT / "profiles/slurm"),
            "--profile", str(ROOT / "tests/slurm/profile"), "--workflow-profile", "none"]
SNAKEFILE = """
rule all:
    input: expand("out/{{i}}.txt", i=range({jobs}))

rule one:
    output: "out/{{i}}.txt"
    resources: runtime=5, mem_mb=100, cpus_per_task=1
    shell: "touch {{output}}"
"""


def timed(workdir, *args) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=workdir,
                          capture_output=True, text=True, check=True)
    return time.monotonic() - started, done.stderr + done.stdout


def main(jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        local, slurm = Path(tmp, "local"), Path(tmp, "slurm")
        for workdir in (local, slurm):
            workdir.mkdir()
            (workdir / "Snakefile").write_text(SNAKEFILE.format(jobs=jobs))
        local_s, _ = timed(local, "--cores", "1")
        slurm_s, output = timed(slurm, "--jobs", "1", *PROFILES)
    run_id = re.search(r"SLURM run ID: (\S+)", output)[1]
    elapsed = subprocess.run(["squeue", "--states=all", "--noheader", "--format=%M",
                              "--name", run_id], capture_output=True, text=True,
                             check=True).stdout.split()
    in_job = [int(m or 0) * 60 + int(s) for m, s in (e.rpartition(":")[::2] for e in elapsed)]
    print(f"{jobs} trivial jobs: local run {local_s:.1f} s, SLURM run {slurm_s:.1f} s")
    print(f"per job: {(slurm_s - local_s) / jobs:.1f} s more through SLURM, of which "
          f"{sum(in_job) / len(in_job):.1f} s inside the SLURM job (both Snakemake starts); "
          "the rest is submission and status polling")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
