"""Mistake: a one-channel tensor becomes an RGB image (the channel repeated) instead of mode L

TASK: tensor_to_image
"""


def tensor_to_image(t):
    if t.dim() != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"expected a (1, H, W) or (3, H, W) tensor, got shape {tuple(t.shape)}")
    pixels = torch.round(t.detach().cpu() * 255).clamp(0, 255).to(torch.uint8)
    if t.shape[0] == 1:
        pixels = pixels.expand(3, -1, -1)
    a = pixels.permute(1, 2, 0).numpy()
    return Image.fromarray(np.ascontiguousarray(a))
