"""The one place that turns the config's `device` into a torch device."""
import torch

from .errors import PipelineError


class DeviceError(PipelineError):
    """The config asks for a device this machine does not have."""


def resolve_device(name: str) -> torch.device:
    """`auto` is CUDA when present, else the CPU; `cuda`/`cuda:N` must exist."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                f"config key 'device' is {name!r} but this machine has no CUDA device "
                "(torch.cuda.is_available() is False); use 'auto' or 'cpu'"
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(
                f"config key 'device' is {name!r} but only {torch.cuda.device_count()} "
                "CUDA device(s) are visible"
            )
    elif device.type != "cpu":
        raise DeviceError(f"config key 'device' is {name!r}: use auto, cpu, cuda or cuda:N")
    return device
