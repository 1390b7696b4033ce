from rnnstudy.jobs.probes import probe_models
from rnnstudy.jobs.runner import run_job

run_job(lambda run: probe_models(list(snakemake.params.cells), list(snakemake.input.final),
                                 list(snakemake.input.weights), snakemake.input.dataset,
                                 dict(snakemake.params.selection), snakemake.output.states,
                                 snakemake.output.lengths, run), snakemake)
