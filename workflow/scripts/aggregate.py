from rnnstudy.jobs.aggregate import aggregate
from rnnstudy.jobs.runner import run_job

run_job(lambda run: aggregate(list(snakemake.params.cells), list(snakemake.input.final),
                              list(snakemake.input.metrics), snakemake.output.table,
                              snakemake.output.epochs), snakemake)
