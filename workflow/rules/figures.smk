# One job per figure: papermill runs the figure's notebook (paper/figures/) on its tables.
rule figure:
    input:
        notebook=lambda wildcards: f"paper/figures/{FIGURES[wildcards.figure].notebook}.py",
        tables=lambda wildcards: [
            f"results/tables/{table}.csv" for table in FIGURES[wildcards.figure].tables
        ],
    output:
        png="results/figures/{figure}.png",
        pdf="results/figures/{figure}.pdf",
        notebook="results/notebooks/{figure}.ipynb",
    params:
        tables=lambda wildcards: list(FIGURES[wildcards.figure].tables),
        parameters=lambda wildcards: FIGURES[wildcards.figure].parameters,
    log:
        "results/logs/figure/{figure}.log",
    resources:
        runtime=15,
        mem_mb=2000,
        cpus_per_task=1,
    script:
        "../scripts/figure.py"
