"""Train a linear head (multinomial logistic regression) on pooled backbone features.

Features are standardised, then full-batch Adam with weight decay runs for a few hundred steps:
seconds on a CPU for a few hundred samples, and stable with as few as 3 samples a class.
"""

from __future__ import annotations

import threading

import torch

from explorer.progress import Progress, check_cancel
from explorer.teach.head import TaughtHead

MIN_CLASSES, MAX_CLASSES = 2, 10


def training_problem(samples: dict) -> str | None:
    """Why these samples cannot train a head yet (None: they can), said before any work starts."""
    if not MIN_CLASSES <= len(samples) <= MAX_CLASSES:
        return f"teach {MIN_CLASSES}-{MAX_CLASSES} classes, not {len(samples)}: add a class and capture samples of it"
    empty = [name for name, items in samples.items() if not items]
    if empty:
        return f"no samples yet for {', '.join(empty)}: hold Capture while showing each class"
    return None


def train_head(
    samples: dict[str, list[torch.Tensor]],
    spec: dict,
    backbone: str,
    backbone_name: str,
    steps: int = 300,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    seed: int = 0,
) -> TaughtHead:
    classes = [name for name, items in samples.items() if items]
    problem = training_problem(samples)
    if problem:
        raise ValueError(problem)
    x = torch.stack([t.float().reshape(-1) for name in classes for t in samples[name]])
    y = torch.tensor([i for i, name in enumerate(classes) for _ in samples[name]])
    mean, std = x.mean(0), x.std(0, unbiased=False) + 1e-4
    xs = (x - mean) / std
    generator = torch.Generator().manual_seed(seed)
    weight = (torch.randn(len(classes), x.shape[1], generator=generator) * 0.01).requires_grad_()
    bias = torch.zeros(len(classes), requires_grad=True)
    optimiser = torch.optim.Adam([weight, bias], lr=0.05, weight_decay=1e-3)
    with torch.enable_grad():
        for step in range(steps):
            check_cancel(cancel)
            optimiser.zero_grad()
            loss = torch.nn.functional.cross_entropy(xs @ weight.T + bias, y)
            loss.backward()
            optimiser.step()
            if progress and (step % 10 == 0 or step == steps - 1):
                progress((step + 1) / steps, "training the head")
    with torch.no_grad():
        accuracy = float(((xs @ weight.T + bias).argmax(1) == y).float().mean())
    return TaughtHead(classes, weight.detach(), bias.detach(), mean, std, dict(spec), backbone, backbone_name, accuracy)
