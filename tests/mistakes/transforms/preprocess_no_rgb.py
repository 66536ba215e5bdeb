"""Mistake: preprocess never converts to RGB

TASK: preprocess
PITFALL: Convert to RGB first
KEEPS: test_preprocess_rgb
"""


def preprocess(img: Image.Image) -> torch.Tensor:
    pipeline = compose(
        partial(resize_short_side, size=224),
        partial(center_crop, size=224),
        image_to_tensor,
        partial(normalize, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),  # [0, 1] -> [-1, 1]
    )
    return pipeline(img)
