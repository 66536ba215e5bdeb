"""Mistake: no clamp before the uint8 cast: 1.3 -> 332 wraps around to 76, -0.2 to 205

TASK: tensor_to_image
PITFALL: The cast wraps around outside [0, 255] (300 becomes 44): clamp first.
KEEPS: test_tensor_to_image_round_trip
"""


def tensor_to_image(t):
    if t.dim() != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"expected a (1, H, W) or (3, H, W) tensor, got shape {tuple(t.shape)}")
    pixels = torch.round(t.detach().cpu() * 255).to(torch.int64).to(torch.uint8)
    a = pixels.permute(1, 2, 0).numpy()
    if t.shape[0] == 1:
        a = a[:, :, 0]
    return Image.fromarray(np.ascontiguousarray(a))
