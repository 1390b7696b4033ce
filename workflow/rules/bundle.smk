# `snakemake bundle`: what training and evaluation made (datasets, the corpus, every cell's
# and shard's results, the tables; the robustness build's too) in one archive with a
# manifest, built first where missing (src/rnnstudy/bundle.py). Restored into another
# checkout by `python -m rnnstudy.bundle restore`, it lets `snakemake` draw the figures and
# write the report there without training. Figures, notebooks, numbers.json, the report and
# the logs stay out: they are cheap to rebuild. Not part of rule all.


def trained_files(settings, results="results/"):
    """The files the training and evaluation rules make for the config `settings`, under
    `results`, less the datasets and the corpus (which the robustness build shares)."""
    runs = ("metrics.csv", "final.csv", "weights.pt")
    return [
        *(
            f"{results}runs/{c.key}/{f}"
            for c in grid.training_cells(settings)
            for f in runs
        ),
        *(f"{results}runs/{shard.key}.csv" for shard in grid.shards(settings)),
        *(f"{results}tables/{table}.csv" for table in grid.tables(settings)),
    ]


def bundled_files():
    files = expand("results/data/{task}.{ext}", task=TASKS, ext=["npz", "summary.csv"])
    if any("corpus" in e.reads for e in EXPERIMENTS):
        files += ["results/data/corpus.txt", CORPUS_JSON]
        # a fetched corpus file, which the corpus rule reads (a configured path is the
        # user's own file, outside results/)
        files += [CORPUS_DOWNLOAD] if corpus_file(CORPUS) == CORPUS_DOWNLOAD else []
    files += trained_files(config)
    if config["robustness"]["embedding"]:
        files += trained_files(robustness_config(config), ROBUSTNESS_DIR)
    return files


rule bundle:
    input:
        files=bundled_files(),
        code=code("rnnstudy.jobs.bundle"),
    output:
        bundle="results/bundle.tar.gz",
    log:
        "results/logs/bundle.log",
    params:
        job="rnnstudy.jobs.bundle:make_bundle",
        params={"config": config},
    script:
        JOB_SCRIPT
