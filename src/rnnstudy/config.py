"""Validation of the workflow's config against its JSON schema, filling in defaults.

Errors name the offending key as a dotted path (e.g. `experiments.e1_trainability.inits`).
"""
import copy
import hashlib
import json

import jsonschema
import yaml

from .errors import PipelineError


class ConfigError(PipelineError):
    """The config does not match its schema."""


def _with_defaults(validator_class):
    check_properties = validator_class.VALIDATORS["properties"]

    def fill_then_check(validator, properties, instance, schema):
        if validator.is_type(instance, "object"):
            for name, subschema in properties.items():
                if "default" in subschema:
                    instance.setdefault(name, copy.deepcopy(subschema["default"]))
        yield from check_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": fill_then_check})


DefaultFillingValidator = _with_defaults(jsonschema.Draft202012Validator)


def key_path(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def describe(error: jsonschema.ValidationError) -> str:
    where = list(error.absolute_path)
    if error.validator == "additionalProperties":
        known = ", ".join(sorted(error.schema.get("properties", {})))
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return "; ".join(f"config key '{key_path(where + [k])}' is not a known setting "
                         f"(known here: {known})" for k in unknown)
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return "; ".join(f"config key '{key_path(where + [k])}' is missing" for k in missing)
    if error.validator == "minItems" and error.validator_value == 1:
        return f"config key '{key_path(where)}' is empty: list at least one value"
    return f"config key '{key_path(where)}': {error.message}"


def validate_config(config: dict, schema_path) -> dict:
    """Fill defaults into `config` in place and check it; raise ConfigError naming the key."""
    with open(schema_path, encoding="utf-8") as f:
        # libyaml's loader where PyYAML has it: the schema is read at every Snakemake start
        schema = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    errors = sorted(DefaultFillingValidator(schema).iter_errors(config),
                    key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    if errors:
        raise ConfigError("invalid config:\n  " + "\n  ".join(describe(e) for e in errors))
    return config


def config_hash(config: dict) -> str:
    """A short hash of the resolved config (for provenance)."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
