"""What every job that computes on the config's device does first."""
from dataclasses import dataclass

import torch

from ..data.sentiment import SentimentData, load_dataset
from ..data.split import Split
from ..device import resolve_device
from ..models import fused


@dataclass
class DeviceJob:
    device: torch.device
    dtype: torch.dtype
    data: SentimentData
    splits: dict[str, Split]  # train, validation, test on `device`


def device_job(params: dict, dataset: str, threads: int) -> DeviceJob:
    """Threads, device and dtype from the job's params, and its dataset on the device."""
    device, dtype = device_only(params, threads)
    data = load_dataset(dataset)
    splits = {name: Split.from_numpy(*data.splits[name], device) for name in data.splits}
    return DeviceJob(device, dtype, data, splits)


def device_only(params: dict, threads: int) -> tuple[torch.device, torch.dtype]:
    """Threads, device, dtype and the cells' kernels from the job's params, for a job
    without a dataset file. (E5's shards evaluate without the cells' kernels: their params
    leave `kernels` out, so changing it does not rerun them.)"""
    torch.set_num_threads(threads)
    if "kernels" in params:
        fused.select(params["kernels"])
    return resolve_device(params["device"]), getattr(torch, params["dtype"])
