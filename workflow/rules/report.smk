rule numbers:
    input:
        tables=expand("results/tables/{table}.csv", table=TABLES),
        summaries=expand("results/data/{task}.summary.csv", task=TASKS),
    output:
        "results/tables/numbers.json",
    params:
        tables=TABLES,
        config=config,
    log:
        "results/logs/numbers.log",
    resources:
        runtime=10,
        mem_mb=1000,
        cpus_per_task=1,
    script:
        "../scripts/numbers.py"


rule report:
    input:
        template="paper/report.md",
        page="paper/page.html",
        numbers="results/tables/numbers.json",
        figures=expand("results/figures/{figure}.png", figure=FIGURES),
    output:
        "results/report.html",
    params:
        figures=list(FIGURES),
    log:
        "results/logs/report.log",
    resources:
        runtime=10,
        mem_mb=1000,
        cpus_per_task=1,
    script:
        "../scripts/report.py"
