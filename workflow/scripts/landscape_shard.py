from rnnstudy.jobs.landscape import landscape_shard
from rnnstudy.jobs.runner import run_job

run_job(lambda run: landscape_shard(snakemake.input.dataset, dict(snakemake.params.shard),
                                    snakemake.output[0], run, snakemake.threads), snakemake)
