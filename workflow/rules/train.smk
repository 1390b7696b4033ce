from rnnstudy import snakemake_report


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


# The training experiment's tables: one row per member, and one per member per epoch; both
# go into Snakemake's own report (`snakemake --report`), under their experiment.
rule aggregate:
    input:
        unpack(aggregate_inputs),
        code=code("rnnstudy.jobs.aggregate"),
    output:
        members=report(
            "results/tables/{experiment}.csv",
            caption="../report/training-tables.rst",
            category=lambda wildcards: snakemake_report.category(wildcards.experiment),
            subcategory=snakemake_report.TABLES,
            labels=lambda wildcards: snakemake_report.labels(
                "table", wildcards.experiment, wildcards.experiment, config
            ),
        ),
        epochs=report(
            "results/tables/{experiment}_epochs.csv",
            caption="../report/training-tables.rst",
            category=lambda wildcards: snakemake_report.category(wildcards.experiment),
            subcategory=snakemake_report.TABLES,
            labels=lambda wildcards: snakemake_report.labels(
                "table", f"{wildcards.experiment}_epochs", wildcards.experiment, config
            ),
        ),
    log:
        "results/logs/aggregate/{experiment}.log",
    params:
        job="rnnstudy.jobs.aggregate:aggregate",
        params=aggregate_params,
    script:
        JOB_SCRIPT
