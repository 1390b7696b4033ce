from rnnstudy.jobs.report import build_report
from rnnstudy.jobs.runner import run_job

figures = dict(zip(snakemake.params.figures, snakemake.input.figures, strict=True))
run_job(lambda run: build_report(snakemake.input.template, snakemake.input.page,
                                 snakemake.input.numbers, figures, snakemake.output[0]),
        snakemake)
