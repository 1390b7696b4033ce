from rnnstudy.jobs.dataset import make_dataset
from rnnstudy.jobs.runner import run_job

run_job(lambda run: make_dataset(dict(snakemake.params.data), snakemake.output.data,
                                 snakemake.output.summary, run), snakemake)
