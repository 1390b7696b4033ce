from rnnstudy.jobs.perturbation import perturb_and_retrain
from rnnstudy.jobs.runner import run_job

run_job(lambda run: perturb_and_retrain(list(snakemake.params.cells),
                                        list(snakemake.input.final),
                                        list(snakemake.input.weights), snakemake.input.dataset,
                                        dict(snakemake.params.selection), snakemake.output[0],
                                        run, snakemake.threads), snakemake)
