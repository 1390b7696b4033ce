from rnnstudy.jobs.figure import render_figure
from rnnstudy.jobs.runner import run_job

tables = dict(zip(snakemake.params.tables, snakemake.input.tables, strict=True))
parameters = {**snakemake.params.parameters, "tables": tables,
              "png": snakemake.output.png, "pdf": snakemake.output.pdf}
run_job(lambda run: render_figure(snakemake.input.notebook, parameters,
                                  snakemake.output.notebook), snakemake)
