from rnnstudy.jobs.runner import run_job
from rnnstudy.jobs.train import train_cell

# Checkpoint frequency changes no result, so it comes from the run's config rather than
# params (where a change would retrain every cell).
run_job(lambda run: train_cell(snakemake.input.dataset, dict(snakemake.params.cell),
                               snakemake.output.metrics, snakemake.output.final,
                               snakemake.output.weights, run, snakemake.threads,
                               checkpointing=snakemake.config["checkpoint"]), snakemake)
