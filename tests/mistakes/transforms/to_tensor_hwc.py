"""Mistake: returns HWC (the array's own layout) instead of CHW

TASK: image_to_tensor
PITFALL: ``np.asarray(img)`` is HWC (channels last) and uint8; torch wants CHW.
"""


def image_to_tensor(img: Image.Image) -> torch.Tensor:
    a = np.asarray(img, dtype=np.float32) / 255.0
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(a.copy())
