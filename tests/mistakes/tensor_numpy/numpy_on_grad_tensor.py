"""Mistake: .numpy() on a tensor that requires grad

TASK: to_numpy
PITFALL: ``t.numpy()`` raises "Can't call numpy() on Tensor that requires grad" ... (``.detach()``
KEEPS: test_to_numpy_values_shape_dtype, test_to_numpy_cuda_stand_in, test_to_numpy_non_contiguous
"""


def to_numpy(t: torch.Tensor) -> np.ndarray:
    # .detach(): numpy cannot record gradients, so .numpy() refuses a tensor that
    #            requires grad; detach gives a view without the autograd history
    #            (and leaves t itself untouched: it still requires grad).
    # .cpu():    numpy arrays live in host memory; a no-op for a CPU tensor.
    return t.cpu().numpy()
