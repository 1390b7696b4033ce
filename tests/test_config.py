"""A bad config stops Snakemake before any job runs, with a message naming the key."""
from collections import Counter

import pytest
import yaml
from snakemake.utils import update_config

from rnnstudy import grid
from rnnstudy.config import ConfigError, validate_config

from conftest import snakemake
from helpers import ROOT, SCHEMA

BAD = {
    "unknown key": ("experiments:\n  e1_trainability: {hiden_dims: [2]}\n",
                    "experiments.e1_trainability.hiden_dims"),
    "unknown top-level key": ("epochs: 3\n", "'epochs'"),
    "wrong type": ("training: {batch_size: '64'}\n", "training.batch_size"),
    "empty grid": ("experiments:\n  e2_capacity: {hidden_dims: []}\n",
                   "experiments.e2_capacity.hidden_dims"),
    "size zero": ("experiments:\n  e1_trainability: {input_dims: [2, 0]}\n",
                  "experiments.e1_trainability.input_dims[1]"),
    "negative size": ("data: {train: -5}\n", "data.train"),
    "unknown model": ("experiments:\n  e1_trainability: {models: [rnn, transformer]}\n",
                      "experiments.e1_trainability.models[1]"),
    "unknown task": ("experiments:\n  e2_capacity: {tasks: [sum]}\n",
                     "experiments.e2_capacity.tasks[0]"),
    "zero seeds": ("experiments:\n  e2_capacity: {inits: 0}\n", "experiments.e2_capacity.inits"),
    "bad override": ("experiments:\n  e2_capacity: {training: {lr: -1}}\n",
                     "experiments.e2_capacity.training.lr"),
    "budget below one unit": ("experiments:\n  e8_capacity: {budgets: [96, 40]}\n",
                              "experiments.e8_capacity.budgets': 40 parameters"),
    "unknown cell": ("experiments:\n  e10_per_unit: {models: [rnn, mlp]}\n",
                     "experiments.e10_per_unit.models[1]"),
    "prefix outside the alphabet": ("experiments:\n  e17_char_generation: {prefix: 'Once'}\n",
                                    "experiments.e17_char_generation.prefix' ('Once') cannot"),
}


def merged(*overrides: str) -> dict:
    """config.yaml with override files' text merged over it, as `--configfile` merges them."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    for text in overrides:
        update_config(config, yaml.safe_load(text))
    return config


@pytest.mark.parametrize("case", list(BAD))
def test_bad_config_is_refused_naming_the_key(case):
    """Every case through grid.plan, the one call the Snakefile makes before any job."""
    text, key = BAD[case]
    with pytest.raises(ConfigError) as error:
        grid.plan(merged(text), SCHEMA)
    assert key in str(error.value)
    assert str(error.value).startswith("invalid config")


# One error the schema finds and one only the grid finds, through real Snakemake: the
# Snakefile turns grid.plan's ConfigError into one line and stops before any job.
@pytest.mark.build
@pytest.mark.parametrize("case", ["unknown key", "budget below one unit"])
def test_bad_config_stops_snakemake_before_any_job(workflow_dir, case):
    text, key = BAD[case]
    (workflow_dir / "bad.yaml").write_text(text)
    done = snakemake(workflow_dir, "--configfile", "bad.yaml", check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert key in output, output
    assert "invalid config" in output
    assert "Traceback" not in output
    assert not (workflow_dir / "results").exists(), "a job ran despite the bad config"


def test_defaults_fill_missing_keys_and_overrides_inherit():
    config = {"experiments": {"e2_capacity": {
        "tasks": ["first"], "models": ["gru"], "input_dims": [2], "hidden_dims": [2],
        "inits": 2, "training": {"max_epochs": 7}}}}
    validate_config(config, SCHEMA)
    assert config["training"]["batch_size"] == 64
    assert config["data"]["vocabulary"] == {"stop": 6, "positive": 2, "negative": 2}
    # An override gets no defaults of its own: what it leaves out is inherited.
    assert config["experiments"]["e2_capacity"]["training"] == {"max_epochs": 7}


def test_shipped_configs_are_valid():
    """config.yaml alone, and each preset merged over it the way Snakemake merges them,
    through everything the Snakefile checks before it runs."""
    grid.plan(merged(), SCHEMA)
    for preset in (ROOT / "workflow" / "presets").glob("*.yaml"):
        grid.plan(merged(preset.read_text()), SCHEMA)


def test_the_seed_scale_preset_plans_the_sources_grid():
    """workflow/presets/seed-scale.yaml (for a GPU or a cluster): every shard of seed 000's
    larger grid is planned (one job of the experiment's shard rule each)."""
    plan = grid.plan(merged((ROOT / "workflow" / "presets" / "seed-scale.yaml").read_text()),
                     SCHEMA)
    counts = Counter(shard.experiment for shard in plan.shards.values())
    assert counts["e8_capacity"] == 60  # 6 architectures × 2 depths × 5 budgets
    assert counts["e10_per_unit"] == 60 and counts["e11_random_functions"] == 27
    # seed 003's palindromes: 3 architectures × 10 lengths, RMSprop for 2 of them, 4 optimizers
    assert counts["e15_palindromes"] == 30 and counts["e16_rmsprop_adam"] == 20
    assert counts["e13_optimizers"] == 4


def test_every_error_is_reported_at_once():
    config = {"seed": -1, "dtype": "float16"}
    with pytest.raises(ConfigError) as error:
        validate_config(config, SCHEMA)
    assert "seed" in str(error.value) and "dtype" in str(error.value)
