rule dataset:
    input:
        code=code("rnnstudy.jobs.dataset"),
    output:
        data="results/data/{task}.npz",
        summary="results/data/{task}.summary.csv",
    log:
        "results/logs/dataset/{task}.log",
    params:
        job="rnnstudy.jobs.dataset:make_dataset",
        params=lambda wildcards: grid.dataset_params(config, wildcards.task),
    script:
        JOB_SCRIPT


# The character corpus of E12 and E17 (src/rnnstudy/data/corpus.py): generated from the
# config's Markov source, or read from the configured file.
rule corpus:
    input:
        unpack(corpus_inputs),
        code=code("rnnstudy.jobs.corpus"),
    output:
        text="results/data/corpus.txt",
        description=CORPUS_JSON,
    log:
        "results/logs/corpus.log",
    params:
        job="rnnstudy.jobs.corpus:make_corpus",
        params=lambda wildcards: CORPUS,
    script:
        JOB_SCRIPT


# A corpus named by URL, fetched once and refused unless its sha256 is the configured one.
rule fetch_corpus:
    output:
        download=CORPUS_DOWNLOAD,
    log:
        "results/logs/fetch_corpus.log",
    params:
        job="rnnstudy.jobs.corpus:fetch_corpus",
        params=lambda wildcards: {k: CORPUS[k] for k in ("url", "sha256")},
    script:
        JOB_SCRIPT
