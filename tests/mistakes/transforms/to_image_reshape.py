"""Mistake: reshape (C, H, W) -> (H, W, C) instead of permute: the bytes stay in CHW order, pixels scrambled

TASK: tensor_to_image
PITFALL: PIL wants HWC: ``permute``, not ``reshape``.
KEEPS: test_tensor_to_image_gray_and_bad_shapes
"""


def tensor_to_image(t):
    if t.dim() != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"expected a (1, H, W) or (3, H, W) tensor, got shape {tuple(t.shape)}")
    c, h, w = t.shape
    pixels = torch.round(t.detach().cpu() * 255).clamp(0, 255).to(torch.uint8)
    a = pixels.reshape(h, w, c).numpy()
    if c == 1:
        a = a[:, :, 0]
    return Image.fromarray(np.ascontiguousarray(a))
