from rnnstudy.jobs.geometry import word_geometry
from rnnstudy.jobs.runner import run_job

run_job(lambda run: word_geometry(list(snakemake.params.cells), list(snakemake.input.final),
                                  list(snakemake.input.weights), snakemake.input.dataset,
                                  dict(snakemake.params.selection), snakemake.output[0], run),
        snakemake)
