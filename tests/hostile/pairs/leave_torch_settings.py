"""LEAVES: torch's global settings (seed, default dtype, threads, grad mode)"""
import torch

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)
torch.set_num_threads(2)
torch.set_grad_enabled(False)
