from rnnstudy.jobs.runner import run_job
from rnnstudy.jobs.train import train_cell

run_job(lambda: train_cell(snakemake.input.dataset, dict(snakemake.params.cell),
                           snakemake.output.metrics, snakemake.output.final,
                           snakemake.output.weights, snakemake.threads), snakemake.log[0])
