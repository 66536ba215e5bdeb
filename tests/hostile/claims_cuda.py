"""TASK: none
STATUS: passed
GPU: either
"""
# Claims a GPU in its own process; the GPU tests must still be skipped where the grader has none.
# Where the grader does see CUDA, the GPU tests run, and this patch (8 devices) may break the
# submission's own CUDA code: either outcome is fair there (`GPU: either`).
import torch

torch.cuda.is_available = lambda: True
torch.cuda.device_count = lambda: 8
