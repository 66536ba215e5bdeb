"""Mistake: .numpy() on a tensor that requires grad

TASK: to_numpy
"""


def to_numpy(t: torch.Tensor) -> np.ndarray:
    # .detach(): numpy cannot record gradients, so .numpy() refuses a tensor that
    #            requires grad; detach gives a view without the autograd history
    #            (and leaves t itself untouched: it still requires grad).
    # .cpu():    numpy arrays live in host memory; a no-op for a CPU tensor.
    return t.cpu().numpy()
