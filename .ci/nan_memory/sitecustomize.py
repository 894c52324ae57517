"""Run the tests with every fresh PyTorch tensor filled with NaN, so code that reads memory it never wrote fails loudly.

    PYTHONPATH=.ci/nan_memory .venv/bin/nbdev-test --n-workers 2

Python imports `sitecustomize` at start-up; this one turns on PyTorch's `fill_uninitialized_memory`
(which acts under deterministic algorithms; `warn_only` keeps ops without a deterministic kernel running).
"""
import torch
torch.use_deterministic_algorithms(True, warn_only=True)
torch.utils.deterministic.fill_uninitialized_memory = True
