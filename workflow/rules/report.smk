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
        params={
            "figures": {name: f.notebook for name, f in FIGURES.items()},
            "repository_url": config["repository_url"],
        },
    script:
        JOB_SCRIPT


# The paper as a PDF: numbers.json → macros (every number of the text), then pdflatex.
# Only the `paper` rule needs LaTeX; without it, it alone fails, saying what to install.
rule paper_macros:
    input:
        numbers="results/tables/numbers.json",
        code=code("rnnstudy.jobs.paper"),
    output:
        macros="results/paper/numbers.tex",
    log:
        "results/logs/paper_macros.log",
    params:
        job="rnnstudy.jobs.paper:write_macros",
        params={},
    script:
        JOB_SCRIPT


rule paper:
    input:
        template="paper/paper.tex",
        sections=[f"paper/sections/{e.id}.tex" for e in EXPERIMENTS],
        bibliography="paper/references.bib",
        numbers="results/tables/numbers.json",
        macros="results/paper/numbers.tex",
        figures=expand("results/figures/{figure}.pdf", figure=FIGURES),
        code=code("rnnstudy.jobs.paper"),
    output:
        pdf="results/paper.pdf",
        tex="results/paper/paper.tex",
        bbl="results/paper/paper.bbl",
        links="results/paper/links.tex",
    log:
        "results/logs/paper.log",
    params:
        job="rnnstudy.jobs.paper:build_paper",
        params={
            "figures": {name: f.notebook for name, f in FIGURES.items()},
            "repository_url": config["repository_url"],
        },
    script:
        JOB_SCRIPT


# What arXiv takes: the rendered source, its macros, its .bbl and the figures.
rule arxiv:
    input:
        tex="results/paper/paper.tex",
        macros="results/paper/numbers.tex",
        bbl="results/paper/paper.bbl",
        links="results/paper/links.tex",
        figures=expand("results/figures/{figure}.pdf", figure=FIGURES),
        code=code("rnnstudy.jobs.paper"),
    output:
        tarball="results/arxiv.tar.gz",
    log:
        "results/logs/arxiv.log",
    params:
        job="rnnstudy.jobs.paper:write_arxiv",
        params={"figures": list(FIGURES)},
    script:
        JOB_SCRIPT
