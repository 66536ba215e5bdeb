"""Mistake: tensor_to_image truncates (the uint8 cast) instead of rounding: 255 * 0.999 = 254.7 becomes 254

TASK: tensor_to_image
PITFALL: ``(t * 255).to(torch.uint8)`` truncates: 254.7 becomes 254
KEEPS: test_tensor_to_image_round_trip
"""


def tensor_to_image(t):
    if t.dim() != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"expected a (1, H, W) or (3, H, W) tensor, got shape {tuple(t.shape)}")
    pixels = (t.detach().cpu() * 255).clamp(0, 255).to(torch.uint8)
    a = pixels.permute(1, 2, 0).numpy()
    if t.shape[0] == 1:
        a = a[:, :, 0]
    return Image.fromarray(np.ascontiguousarray(a))
