# The claims rebuilt under the choice of word vectors the seed leaves open: this same
# workflow, as a module, with the other `model.embedding`, for the training experiments.
# Its files go under results/robustness/embedding-<other>/; the datasets and the character
# corpus are shared (the choice does not change them). The main report sets its verdicts beside the main ones.
if config["robustness"]["embedding"]:

    module other_embedding:
        snakefile:
            "../../Snakefile"
        config:
            robustness_config(config)
        replace_prefix:
            robustness_prefixes(ROBUSTNESS_DIR)

    use rule * from other_embedding exclude all, dataset, corpus, fetch_corpus, bundle, paper_macros, paper, arxiv as other_embedding_*
