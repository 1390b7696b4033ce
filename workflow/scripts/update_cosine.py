from rnnstudy.jobs.cosine import cosine_curves
from rnnstudy.jobs.runner import run_job

run_job(lambda run: cosine_curves(list(snakemake.params.cells), list(snakemake.input.final),
                                  list(snakemake.input.metrics), list(snakemake.input.weights),
                                  dict(snakemake.params.selection), snakemake.output[0], run),
        snakemake)
