"""Training-side LoRA: wrap the base model's linear layers with trainable low-rank updates (see qa/adapter.py)."""

from __future__ import annotations

import math

import numpy as np
import torch

from qa import adapter
from qa.encoder import model_path


class LoRA(torch.nn.Module):
    """A frozen linear layer plus a trainable low-rank update B @ A (B starts at zero)."""

    def __init__(self, base: torch.nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        self.a = torch.nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale


def with_adapters(model, rank: int, alpha: float) -> dict[str, LoRA]:
    """Freeze the model and wrap every adapted linear layer; returns the adapters by '<layer>.<name>'."""
    for p in model.parameters():
        p.requires_grad_(False)
    adapters = {}
    for layer in range(len(model.encoder.layer)):
        for name in adapter.ADAPTED:
            parent, attr = adapter.slot(model, layer, name)
            wrapped = LoRA(getattr(parent, attr), rank, alpha)
            setattr(parent, attr, wrapped)
            adapters[f"{layer}.{name}"] = wrapped
    return adapters


def adapter_arrays(adapters: dict[str, LoRA]) -> dict:
    """What qa.adapter.save_adapter stores: each adapter's (A, B) as numpy arrays."""
    return {k: (a.a.detach().numpy(), a.b.detach().numpy()) for k, a in adapters.items()}


def save_fit(out, adapters: dict[str, LoRA], heads: dict[str, np.ndarray], rank: int, fitted_on: str) -> None:
    """Store a fitted adapter (alpha = 2 x rank, as `training_setup` scales it) and its head arrays, with what it
    was fitted on (qa.adapter.save_adapter)."""
    _, version = model_path(adapter.BASE_MODEL)
    info = adapter.AdapterInfo(base=adapter.BASE_MODEL, base_version=version, rank=rank, alpha=2.0 * rank,
                               fitted_on=fitted_on)
    adapter.save_adapter(out, adapter_arrays(adapters), heads, info)


def training_setup(model, head: torch.nn.Module, rank: int, lr: float, steps: int):
    """(adapters, optimizer, schedule) for fitting a head with LoRA adapters on every linear layer (alpha =
    2 x rank): AdamW over the adapters and the head, one-cycle learning rate over `steps`."""
    adapters = with_adapters(model, rank, 2.0 * rank)
    params = [p for a in adapters.values() for p in (a.a, a.b)] + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.1)
    return adapters, optimizer, schedule


def training_setup_from(model, head: torch.nn.Linear, start, rank: int, lr: float, steps: int):
    """`training_setup`, the adapters and the head starting from a fitted adapter file `start` (its rank
    replaces `rank`), or fresh when `start` is None. Returns (adapters, optimizer, schedule, rank)."""
    if start is None:
        return (*training_setup(model, head, rank, lr, steps), rank)
    data, info, heads = adapter.read_adapter(start, ("head.weight", "head.bias"))
    if info.alpha != 2.0 * info.rank:  # training_setup scales every adapter by alpha / rank = 2
        raise ValueError(f"{start} was fitted with alpha {info.alpha} at rank {info.rank}; "
                         f"this goes on at alpha 2 x rank")
    adapters, optimizer, schedule = training_setup(model, head, info.rank, lr, steps)
    with torch.no_grad():
        for key, lora in adapters.items():
            lora.a.copy_(torch.from_numpy(data[f"{key}.a"].astype(np.float32)))
            lora.b.copy_(torch.from_numpy(data[f"{key}.b"].astype(np.float32)))
        # Heads are stored as the scripts save them: the linear layer's weight transposed, or its one row.
        head.weight.copy_(torch.from_numpy(heads["head.weight"]).reshape(head.weight.T.shape).T)
        head.bias.copy_(torch.from_numpy(heads["head.bias"]).reshape(head.bias.shape))
    return adapters, optimizer, schedule, info.rank
