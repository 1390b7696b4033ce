rule dataset:
    input:
        code=code("rnnstudy.jobs.dataset"),
    output:
        data="results/data/{task}.npz",
        summary="results/data/{task}.summary.csv",
    log:
        "results/logs/dataset/{task}.log",
    params:
        job="rnnstudy.jobs.dataset:make_dataset",
        params=lambda wildcards: grid.dataset_params(config, wildcards.task),
    script:
        JOB_SCRIPT
