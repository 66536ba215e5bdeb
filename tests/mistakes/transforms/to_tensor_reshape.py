"""Mistake: reshapes HWC to (C, H, W) instead of permuting the axes

TASK: image_to_tensor
PITFALL: a ``reshape`` to (C, H, W) keeps the bytes in HWC order and scrambles the pixels.
KEEPS: test_image_to_tensor_grayscale, test_image_to_tensor_small_gray
"""


def image_to_tensor(img: Image.Image) -> torch.Tensor:
    a = np.asarray(img, dtype=np.float32) / 255.0
    if a.ndim == 2:
        a = a[:, :, None]
    h, w, c = a.shape
    return torch.from_numpy(a.copy()).reshape(c, h, w)
