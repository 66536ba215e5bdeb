"""Mistake: feeds every step the original input instead of the previous output

TASK: compose
"""


def compose(*steps):
    def composed(x):
        out = x
        for step in steps:
            out = step(x)
        return out

    return composed


def _correct_compose(*steps):
    def composed(x):
        for step in steps:  # left to right: the first step sees the input
            x = step(x)
        return x

    return composed


_PREPROCESS = _correct_compose(
    _to_rgb,  # first, so grayscale/RGBA/palette images all end up with 3 channels
    partial(resize_short_side, size=224),
    partial(center_crop, size=224),
    image_to_tensor,
    partial(normalize, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),  # [0, 1] -> [-1, 1]
)
