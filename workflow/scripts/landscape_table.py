from rnnstudy.jobs.landscape_table import landscape_table
from rnnstudy.jobs.runner import run_job

run_job(lambda run: landscape_table(snakemake.params.task, list(snakemake.input),
                                    snakemake.output[0]), snakemake)
