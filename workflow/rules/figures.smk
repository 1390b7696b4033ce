# One job per figure: papermill runs the figure's notebook (paper/figures/) on its table.
rule figure:
    input:
        notebook=lambda wildcards: f"paper/figures/{FIGURES[wildcards.figure].notebook}.py",
        table=lambda wildcards: f"results/tables/{FIGURES[wildcards.figure].experiment}.csv",
    output:
        png="results/figures/{figure}.png",
        pdf="results/figures/{figure}.pdf",
        notebook="results/notebooks/{figure}.ipynb",
    params:
        parameters=lambda wildcards: FIGURES[wildcards.figure].parameters,
    log:
        "results/logs/figure/{figure}.log",
    script:
        "../scripts/figure.py"
