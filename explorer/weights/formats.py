"""Read checkpoint files safely and convert the known layouts to our models' keys.

- torchvision V2 and our own models: our keys already (V2 is key-identical to torchvision).
- another codebase's layout (megvii's): its architecture entry names the marker key and the
  converter (explorer/models/megvii.py).
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import torch

from explorer.models.architecture import DEFAULT_LAYOUT, architectures


class CheckpointError(Exception):
    """The file cannot be used; the text names the problem."""


def read_state_dict(path: str | Path) -> tuple[dict[str, torch.Tensor], dict]:
    """(tensors, extras) from a checkpoint file, never executing pickled code."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such file")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        text = str(exc)
        found = re.search(r"Unsupported global: GLOBAL ([\w.]+)", text)
        if found or "weights_only" in text and "global" in text.lower():
            what = found.group(1) if found else "a Python object"
            raise CheckpointError(
                f"{path.name} contains {what}, which safe (weights_only) loading refuses to run; only plain state dicts of tensors are accepted"
            ) from None
        raise CheckpointError(f"{path.name} is not a readable PyTorch checkpoint (corrupt or another format)") from None
    except Exception as exc:  # corrupt files raise anything from EOFError to RuntimeError
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise CheckpointError(
            f"{path.name} is not a readable PyTorch checkpoint (corrupt, truncated or another format: {detail})"
        ) from None
    extras: dict = {}
    if isinstance(data, dict):
        for key in ("state_dict", "model_state_dict", "model", "net", "weights"):
            if isinstance(data.get(key), dict):
                extras = {k: v for k, v in data.items() if k != key}
                data = data[key]
                break
    if not isinstance(data, dict) or not data or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise CheckpointError(
            f"{path.name} holds no state dict (expected a dict of tensors, or a dict with a 'state_dict' entry)"
        )
    state = {(k[len("module.") :] if k.startswith("module.") else k): v for k, v in data.items()}
    return state, extras


def detect_format(state: dict[str, torch.Tensor]) -> tuple[str, str]:
    """(arch, layout) of a state dict, from the marker keys the architecture entries declare:
    layout "default" (ours, and torchvision's for V2) or a foreign one ("megvii"); or raise."""
    keys = state.keys()
    for entry in architectures():
        if entry.foreign is not None and entry.foreign.marker in keys:
            return entry.name, entry.foreign.name
        if entry.checkpoint_marker is not None and entry.checkpoint_marker in keys:
            return entry.name, DEFAULT_LAYOUT
    sample = ", ".join(list(keys)[:3])
    raise CheckpointError(f"not a ShuffleNet checkpoint this app knows (its keys start with: {sample})")
