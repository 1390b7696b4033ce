rule dataset:
    output:
        data="results/data/{task}.npz",
        summary="results/data/{task}.summary.csv",
    params:
        data=lambda wildcards: grid.dataset_params(config, wildcards.task),
    log:
        "results/logs/dataset/{task}.log",
    resources:
        runtime=10,
        mem_mb=1000,
        cpus_per_task=1,
    script:
        "../scripts/dataset.py"
