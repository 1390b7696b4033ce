from rnnstudy.gpu_slots import gpu_slot
from rnnstudy.jobs.runner import run_job


def main(run):
    with gpu_slot(snakemake.resources.get("gpu", 0)):  # before torch starts CUDA
        from rnnstudy.jobs.landscape import landscape_shard

        landscape_shard(snakemake.input.dataset, dict(snakemake.params.shard),
                        snakemake.output[0], run, snakemake.threads)


run_job(main, snakemake)
