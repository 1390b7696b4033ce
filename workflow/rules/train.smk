# One job per grid cell: all inits of (experiment, task, model, shape) as one population.
rule train:
    input:
        dataset=cell_dataset,
        code=code("rnnstudy.jobs.train"),
    output:
        metrics="results/runs/{experiment}/{cell}/metrics.csv",
        final="results/runs/{experiment}/{cell}/final.csv",
        weights="results/runs/{experiment}/{cell}/weights.pt",
    log:
        "results/logs/train/{experiment}/{cell}.log",
    threads: 1
    resources:
        runtime=60,  # minutes; a full-scale cell trains in seconds to minutes on one core
        mem_mb=4000,  # a CUDA context alone takes 1-2 GB of host memory
        cpus_per_task=lambda wildcards, threads: threads,
        gpu=GPUS,  # 1 for device: cuda
    params:
        job="rnnstudy.jobs.train:train_cell",
        params=cell_params,
    script:
        JOB_SCRIPT


# The training experiment's tables: one row per member, and one per member per epoch.
rule aggregate:
    input:
        unpack(aggregate_inputs),
        code=code("rnnstudy.jobs.aggregate"),
    output:
        members="results/tables/{experiment}.csv",
        epochs="results/tables/{experiment}_epochs.csv",
    log:
        "results/logs/aggregate/{experiment}.log",
    params:
        job="rnnstudy.jobs.aggregate:aggregate",
        params=aggregate_params,
    script:
        JOB_SCRIPT
