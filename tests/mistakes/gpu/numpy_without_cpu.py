"""Mistake: cuda_to_numpy detaches but never brings a GPU tensor back to the CPU

TASK: cuda_to_numpy
PITFALL: ``.numpy()`` raises for a CUDA tensor ... bring it to the CPU first.
KEEPS: test_cuda_to_numpy_cpu_tensors, test_cuda_to_numpy_grad_tensors
"""


def cuda_to_numpy(t: torch.Tensor):
    # .numpy() reads host memory: a CUDA tensor must come back with .cpu() first.
    return t.detach().numpy()
