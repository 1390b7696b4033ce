# One job per grid cell: all inits of (experiment, task, model, shape) as one population.
rule train:
    input:
        dataset=lambda wildcards: f"results/data/{cell_of(wildcards).task}.npz",
    output:
        metrics="results/runs/{experiment}/{cell}/metrics.csv",
        final="results/runs/{experiment}/{cell}/final.csv",
        weights="results/runs/{experiment}/{cell}/weights.pt",
    params:
        cell=lambda wildcards: grid.cell_params(config, cell_of(wildcards)),
    log:
        "results/runs/{experiment}/{cell}/train.log",
    threads: 1
    resources:
        runtime=60,  # minutes; a full-scale cell trains in seconds to minutes on one core
        mem_mb=4000,  # a CUDA context alone takes 1-2 GB of host memory
        cpus_per_task=lambda wildcards, threads: threads,
        gpu=GPUS,  # 1 for device: cuda
    script:
        "../scripts/train.py"
