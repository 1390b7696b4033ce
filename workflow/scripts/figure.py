from rnnstudy.jobs.figure import render_figure
from rnnstudy.jobs.runner import run_job

parameters = {**snakemake.params.parameters, "table": snakemake.input.table,
              "png": snakemake.output.png, "pdf": snakemake.output.pdf}
run_job(lambda: render_figure(snakemake.input.notebook, parameters, snakemake.output.notebook),
        snakemake.log[0])
