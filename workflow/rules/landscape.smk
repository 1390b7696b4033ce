# E5: random parameter settings, evaluated in shards (one job per model, shape and shard).
rule landscape_shard:
    input:
        dataset=lambda wildcards: f"results/data/{config['experiments']['e5_landscape']['task']}.npz",
    output:
        "results/runs/e5_landscape/{shard}.csv",
    params:
        shard=lambda wildcards: grid.landscape_params(config, SHARDS[wildcards.shard]),
    log:
        "results/runs/e5_landscape/{shard}.log",
    threads: 1
    resources:
        runtime=60,  # minutes; a full-scale shard (250,000 settings) took at most 2 on a core here
        mem_mb=4000,
        cpus_per_task=lambda wildcards, threads: threads,
        gpu=GPUS,
    script:
        "../scripts/landscape_shard.py"


rule landscape_table:
    input:
        expand("results/runs/e5_landscape/{shard}.csv", shard=SHARDS),
    output:
        "results/tables/e5_landscape.csv",
    params:
        task=lambda wildcards: config["experiments"]["e5_landscape"]["task"],
    log:
        "results/logs/analysis/e5_landscape.log",
    resources:
        runtime=10,
        mem_mb=1000,
        cpus_per_task=1,
    script:
        "../scripts/landscape_table.py"
