"""Mistake: keeps the 0..255 range instead of scaling to [0, 1]

TASK: image_to_tensor
"""


def image_to_tensor(img: Image.Image) -> torch.Tensor:
    a = np.asarray(img, dtype=np.float32)
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(a).permute(2, 0, 1).contiguous()
