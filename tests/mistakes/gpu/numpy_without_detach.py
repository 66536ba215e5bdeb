"""Mistake: cuda_to_numpy calls .cpu().numpy() without detach: raises for a tensor that requires grad

TASK: cuda_to_numpy
PITFALL: ``.numpy()`` raises ... for one that requires grad: detach it
KEEPS: test_cuda_to_numpy_cuda_stand_in
"""


def cuda_to_numpy(t: torch.Tensor):
    return t.cpu().numpy()
