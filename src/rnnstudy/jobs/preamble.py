"""What every job that computes on the config's device does first."""
from dataclasses import dataclass

import torch

from ..data.sentiment import SentimentData, load_dataset
from ..data.split import Split
from ..device import resolve_device


@dataclass
class DeviceJob:
    device: torch.device
    dtype: torch.dtype
    data: SentimentData
    splits: dict[str, Split]  # train, validation, test on `device`


def device_job(params: dict, dataset: str, threads: int) -> DeviceJob:
    """Threads, device and dtype from the job's params, and its dataset on the device."""
    torch.set_num_threads(threads)
    device = resolve_device(params["device"])
    data = load_dataset(dataset)
    splits = {name: Split.from_numpy(*data.splits[name], device) for name in data.splits}
    return DeviceJob(device, getattr(torch, params["dtype"]), data, splits)
