from rnnstudy.gpu_slots import gpu_slot
from rnnstudy.jobs.runner import run_job


def main(run):
    with gpu_slot(snakemake.resources.get("gpu", 0)):  # before torch starts CUDA
        from rnnstudy.jobs.perturbation import perturb_and_retrain

        perturb_and_retrain(list(snakemake.params.cells), list(snakemake.input.final),
                            list(snakemake.input.weights), snakemake.input.dataset,
                            dict(snakemake.params.selection), snakemake.output[0], run,
                            snakemake.threads)


run_job(main, snakemake)
