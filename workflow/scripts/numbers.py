from rnnstudy.jobs.numbers import write_numbers
from rnnstudy.jobs.runner import run_job

tables = dict(zip(snakemake.params.tables, snakemake.input.tables, strict=True))
run_job(lambda run: write_numbers(tables, list(snakemake.input.summaries),
                                  dict(snakemake.params.config), snakemake.output[0], run),
        snakemake)
