# The paper rebuild. `snakemake` builds everything rule `all` lists; see README.md.
#
# `snakemake --lint` asks each rule for a conda environment or container, and nothing else.
# The software environment is one for every rule: the pinned packages of pyproject.toml in
# .venv (`make install`), where the torch pin installs a CPU or a CUDA build to suit the
# machine; a conda file per rule would pin a second, untested copy of it.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/experiments.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/robustness.smk"
include: "workflow/rules/bundle.smk"


rule all:
    default_target: True
    input:
        "results/report.html",
        "results/paper.pdf",
        expand("results/tables/{table}.csv", table=TABLES),
        expand("results/figures/{figure}.{ext}", figure=FIGURES, ext=["png", "pdf"]),
