# The paper rebuild. `snakemake` builds everything rule `all` lists; see README.md.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/landscape.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        "results/report.html",
        expand("results/tables/{table}.csv", table=TABLES),
        expand("results/figures/{figure}.{ext}", figure=FIGURES, ext=["png", "pdf"]),
    default_target: True
