"""Mistake: cuda_to_numpy switches requires_grad off on the caller's tensor instead of detaching

TASK: cuda_to_numpy
KEEPS: test_cuda_to_numpy_cpu_tensors, test_cuda_to_numpy_cuda_stand_in
"""


def cuda_to_numpy(t: torch.Tensor):
    if t.is_leaf:
        t.requires_grad_(False)
        return t.cpu().numpy()
    return t.detach().cpu().numpy()
