"""Mistake: returns HWC (the array's own layout) instead of CHW

TASK: image_to_tensor
"""


def image_to_tensor(img: Image.Image) -> torch.Tensor:
    a = np.asarray(img, dtype=np.float32) / 255.0
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(a.copy())


def _correct_image_to_tensor(img: Image.Image) -> torch.Tensor:
    a = np.asarray(img, dtype=np.float32) / 255.0  # (H, W, C), or (H, W) for "L"
    if a.ndim == 2:
        a = a[:, :, None]  # give grayscale its channel dim
    # PIL/numpy store HWC; torch models expect CHW. permute reorders the axes
    # (a reshape would scramble the pixels); contiguous() makes a tidy copy.
    return torch.from_numpy(a).permute(2, 0, 1).contiguous()


_PREPROCESS = compose(
    _to_rgb,  # first, so grayscale/RGBA/palette images all end up with 3 channels
    partial(resize_short_side, size=224),
    partial(center_crop, size=224),
    _correct_image_to_tensor,
    partial(normalize, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),  # [0, 1] -> [-1, 1]
)
