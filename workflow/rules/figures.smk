# One job per figure: papermill runs the figure's notebook (paper/figures/) on its tables.
rule figure:
    input:
        notebook=figure_notebook,
        tables=figure_tables,
        code=figure_code,
    output:
        png="results/figures/{figure}.png",
        pdf="results/figures/{figure}.pdf",
        executed="results/notebooks/{figure}.ipynb",
    log:
        "results/logs/figure/{figure}.log",
    params:
        job="rnnstudy.jobs.figure:render_figure",
        params=figure_params,
    script:
        JOB_SCRIPT
