rule aggregate:
    input:
        final=lambda wildcards: [
            f"results/runs/{cell.key}/final.csv" for cell in cells_of(wildcards.experiment)
        ],
        metrics=lambda wildcards: [
            f"results/runs/{cell.key}/metrics.csv" for cell in cells_of(wildcards.experiment)
        ],
    output:
        table="results/tables/{experiment}.csv",
        epochs="results/tables/{experiment}_epochs.csv",
    params:
        cells=lambda wildcards: [
            {**vars(cell), "embedding": config["model"]["embedding"]}
            for cell in cells_of(wildcards.experiment)
        ],
    log:
        "results/logs/aggregate/{experiment}.log",
    resources:
        runtime=10,
        mem_mb=2000,
        cpus_per_task=1,
    script:
        "../scripts/aggregate.py"
