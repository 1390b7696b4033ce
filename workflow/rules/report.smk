rule numbers:
    input:
        tables=expand("results/tables/{experiment}.csv", experiment=EXPERIMENTS),
        summaries=expand("results/data/{task}.summary.csv", task=TASKS),
    output:
        "results/tables/numbers.json",
    params:
        experiments=EXPERIMENTS,
        config=config,
    log:
        "results/logs/numbers.log",
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
    script:
        "../scripts/report.py"
