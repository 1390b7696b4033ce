from rnnstudy import snakemake_report


# One job per figure: papermill runs the figure's notebook (paper/figures/) on its tables.
# The PNG goes into Snakemake's own report (`snakemake --report`), under its experiment.
rule figure:
    input:
        notebook=figure_notebook,
        tables=figure_tables,
        code=figure_code,
    output:
        png=report(
            "results/figures/{figure}.png",
            caption="../report/figure.rst",
            category=lambda wildcards: snakemake_report.category(
                FIGURES[wildcards.figure].notebook
            ),
            subcategory=snakemake_report.FIGURES,
            labels=lambda wildcards: snakemake_report.labels(
                "figure", wildcards.figure, FIGURES[wildcards.figure].notebook, config
            ),
        ),
        pdf="results/figures/{figure}.pdf",
        executed="results/notebooks/{figure}.ipynb",
    log:
        "results/logs/figure/{figure}.log",
    params:
        job="rnnstudy.jobs.figure:render_figure",
        params=figure_params,
    script:
        JOB_SCRIPT
