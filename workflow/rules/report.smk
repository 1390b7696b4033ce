rule numbers:
    input:
        tables=expand(
            "results/tables/{table}.csv", table=grid.tables(config, epochs=False)
        ),
        summaries=expand("results/data/{task}.summary.csv", task=TASKS),
        robustness=list(ROBUSTNESS.values()),
        code=code(
            "rnnstudy.jobs.numbers",
            *(e.claims_module for e in EXPERIMENTS),
        ),
    output:
        numbers="results/tables/numbers.json",
    log:
        "results/logs/numbers.log",
    params:
        job="rnnstudy.jobs.numbers:write_numbers",
        params={
            "tables": grid.tables(config, epochs=False),
            "config": config,
            "robustness": list(ROBUSTNESS),
        },
    script:
        JOB_SCRIPT


rule report:
    input:
        template="paper/report.md",
        page="paper/page.html",
        sections=[f"paper/sections/{e.id}.md" for e in EXPERIMENTS],
        numbers="results/tables/numbers.json",
        figures=expand("results/figures/{figure}.png", figure=FIGURES),
        code=code("rnnstudy.jobs.report"),
    output:
        report="results/report.html",
    log:
        "results/logs/report.log",
    params:
        job="rnnstudy.jobs.report:build_report",
        params={"figures": list(FIGURES)},
    script:
        JOB_SCRIPT
