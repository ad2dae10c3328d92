"""Precision for training: bf16 autocast where the hardware has it, fp32 otherwise (logged)."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import torch


def cpu_has_bf16() -> bool:
    """True when /proc/cpuinfo lists avx512_bf16 (oneDNN then runs bf16 matmuls natively)."""
    try:
        return 'avx512_bf16' in Path('/proc/cpuinfo').read_text()
    except OSError:
        return False


def autocast_for(device: str, precision: str = 'auto'):
    """(context manager, 'bf16' | 'fp32') for the forward pass on `device`."""
    if device.startswith('cuda'):
        if precision == 'fp32':
            return contextlib.nullcontext(), 'fp32'
        return torch.autocast('cuda', dtype=torch.bfloat16), 'bf16'
    use = precision == 'bf16' or (precision == 'auto' and cpu_has_bf16())
    if use:
        return torch.autocast('cpu', dtype=torch.bfloat16), 'bf16'
    return contextlib.nullcontext(), 'fp32'


def describe_precision(device: str, precision: str, threads: int) -> str:
    if device.startswith('cuda'):
        return f'{precision} on CUDA'
    why = 'AVX512-BF16 found' if cpu_has_bf16() else 'no AVX512-BF16 in /proc/cpuinfo: fp32 fallback'
    blas = os.environ.get('OPENBLAS_NUM_THREADS', 'unset')
    return f'{precision} ({why}), {threads} threads, OPENBLAS_NUM_THREADS={blas}'
