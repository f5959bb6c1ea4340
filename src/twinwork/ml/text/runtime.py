"""Process set-up shared by training, evaluation and serving: offline hubs, threads, device."""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

loading_lock = threading.RLock()
"""Held around every transformers ``from_pretrained`` (and the GGUF conversion) in this process:
transformers builds models through process-wide state (the meta device, patched initialisers),
so two loads at once in different threads corrupt each other."""


def go_offline() -> None:
    """Weights come from packages only; a hub lookup would hang or leak where none is reachable."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # Training and serving run inside worker threads of the app; tokenizer threads would fight
    # torch's own for the same few cores.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@cache
def device() -> torch.device:
    import torch

    go_offline()
    if torch.cuda.is_available():
        return torch.device("cuda")
    # On a small CPU box the default intra-op pool can oversubscribe when other libraries
    # (tokenizers, BLAS) also spawn threads; one thread per physical core is the fastest setting.
    cores = os.cpu_count() or 1
    if torch.get_num_threads() > cores:
        torch.set_num_threads(cores)
    return torch.device("cpu")
