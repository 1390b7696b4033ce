from rnnstudy.gpu_slots import gpu_slot
from rnnstudy.jobs.runner import run_job


def main(run):
    # A job that asks for a GPU is pinned to a free one before torch is imported: CUDA reads
    # CUDA_VISIBLE_DEVICES once, when it starts (under SLURM, SLURM has set it already).
    with gpu_slot(snakemake.resources.get("gpu", 0)):
        from rnnstudy.jobs.train import train_cell

        # Checkpoint frequency changes no result, so it comes from the run's config rather
        # than params (where a change would retrain every cell).
        train_cell(snakemake.input.dataset, dict(snakemake.params.cell),
                   snakemake.output.metrics, snakemake.output.final, snakemake.output.weights,
                   run, snakemake.threads, checkpointing=snakemake.config["checkpoint"])


run_job(main, snakemake)
