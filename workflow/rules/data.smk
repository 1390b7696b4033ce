rule dataset:
    output:
        data="results/data/{task}.npz",
        summary="results/data/{task}.summary.csv",
    params:
        data=lambda wildcards: grid.dataset_params(config, wildcards.task),
    log:
        "results/logs/dataset/{task}.log",
    script:
        "../scripts/dataset.py"
