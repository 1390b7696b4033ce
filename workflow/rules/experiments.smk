from rnnstudy import snakemake_report

# One rule per experiment that has a job of its own, named after the experiment and made
# from its registry entry (src/rnnstudy/experiments.py): an experiment added there gets its
# rule here without an edit. Sharded experiments also get `<id>_shard`, one job per shard
# their entry lists. An experiment's tables go into Snakemake's own report
# (`snakemake --report`), under the experiment.
for experiment in EXPERIMENTS:
    if experiment.kind == SHARDED:

        rule:
            name:
                f"{experiment.id}_shard"
            input:
                **shard_inputs(experiment),
                code=code(experiment.job_module),
            output:
                **{
                    experiment.shard_output: f"results/runs/{experiment.id}/{{shard}}.csv"
                },
            log:
                f"results/logs/{experiment.id}_shard/{{shard}}.log",
            threads: 1
            resources:
                runtime=60,  # minutes; a full-scale shard took at most 2 on a core here
                mem_mb=4000,
                cpus_per_task=lambda wildcards, threads: threads,
                gpu=GPUS,
            params:
                job=f"{experiment.job_module}:{experiment.shard_job}",
                params=lambda wildcards, experiment=experiment: shard_params(
                    wildcards, experiment
                ),
            script:
                JOB_SCRIPT

    if experiment.job:

        rule:
            name:
                experiment.id
            input:
                **job_inputs(experiment),
                code=code(experiment.job_module),
            output:
                **{
                    key: report(
                        path,
                        caption="../report/tables.rst",
                        category=snakemake_report.category(experiment.id),
                        subcategory=snakemake_report.TABLES,
                        labels=snakemake_report.labels(
                            "table", Path(path).stem, experiment.id, config
                        ),
                    )
                    for key, path in job_outputs(experiment).items()
                },
            log:
                f"results/logs/{experiment.id}.log",
            threads: 1
            resources:
                **experiment.resources,
                cpus_per_task=lambda wildcards, threads: threads,
                gpu=GPUS if experiment.device else 0,
            params:
                job=f"{experiment.job_module}:{experiment.job}",
                params=JOB_PARAMS[experiment.id],
            script:
                JOB_SCRIPT
