# Experiments that study one trained model per model and shape (E3, E4, E6, E7): one job
# each, reading what their training cells produced. Input functions are lazy, so an
# experiment missing from the config costs nothing. E3, E4 and E6 compute on the CPU;
# E7 retrains, on the config's device.
def cell_files(experiment, kind):
    return lambda wildcards: [f"results/runs/{c.key}/{kind}" for c in cells_of(experiment)]


def cell_identities(experiment):
    return lambda wildcards: [vars(cell) for cell in cells_of(experiment)]


def dataset_of(experiment):
    return lambda wildcards: f"results/data/{config['experiments'][experiment]['task']}.npz"


def selection_of(experiment):
    return lambda wildcards: grid.selection_params(config, experiment)


rule word_geometry:
    input:
        final=cell_files("e3_word_geometry", "final.csv"),
        weights=cell_files("e3_word_geometry", "weights.pt"),
        dataset=dataset_of("e3_word_geometry"),
    output:
        "results/tables/e3_word_vectors.csv",
    params:
        cells=cell_identities("e3_word_geometry"),
        selection=selection_of("e3_word_geometry"),
    log:
        "results/logs/analysis/e3_word_geometry.log",
    resources:
        runtime=10,
        mem_mb=2000,
        cpus_per_task=1,
    script:
        "../scripts/word_geometry.py"


rule probes:
    input:
        final=cell_files("e4_trajectories", "final.csv"),
        weights=cell_files("e4_trajectories", "weights.pt"),
        dataset=dataset_of("e4_trajectories"),
    output:
        states="results/tables/e4_hidden_states.csv",
        lengths="results/tables/e4_length_generalization.csv",
    params:
        cells=cell_identities("e4_trajectories"),
        selection=selection_of("e4_trajectories"),
    log:
        "results/logs/analysis/e4_trajectories.log",
    resources:
        runtime=10,
        mem_mb=2000,
        cpus_per_task=1,
    script:
        "../scripts/probes.py"


rule update_cosine:
    input:
        final=cell_files("e6_update_cosine", "final.csv"),
        metrics=cell_files("e6_update_cosine", "metrics.csv"),
        weights=cell_files("e6_update_cosine", "weights.pt"),
    output:
        "results/tables/e6_cosine_curves.csv",
    params:
        cells=cell_identities("e6_update_cosine"),
        selection=selection_of("e6_update_cosine"),
    log:
        "results/logs/analysis/e6_update_cosine.log",
    resources:
        runtime=10,
        mem_mb=2000,
        cpus_per_task=1,
    script:
        "../scripts/update_cosine.py"


rule perturbation:
    input:
        final=cell_files("e7_perturbation", "final.csv"),
        weights=cell_files("e7_perturbation", "weights.pt"),
        dataset=dataset_of("e7_perturbation"),
    output:
        "results/tables/e7_retraining.csv",
    params:
        cells=cell_identities("e7_perturbation"),
        selection=selection_of("e7_perturbation"),
    log:
        "results/logs/analysis/e7_perturbation.log",
    threads: 1
    resources:
        runtime=30,  # minutes: models × draws × scales retrained for retrain_epochs
        mem_mb=4000,
        cpus_per_task=lambda wildcards, threads: threads,
        gpu=GPUS,
    script:
        "../scripts/perturbation.py"
