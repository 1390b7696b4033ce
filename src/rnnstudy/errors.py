"""Errors the pipeline reports as one plain message (no traceback): bad input, not bugs."""


class PipelineError(RuntimeError):
    """Something the user can fix: a bad config value, a missing or corrupt file, no device."""
