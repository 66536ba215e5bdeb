"""Mistake: scales the caller's tensor in place (t.mul_(255))

TASK: tensor_to_image
PITFALL: ``t.mul_(255)`` would change the caller's tensor.
KEEPS: test_tensor_to_image_small_tensors, test_tensor_to_image_round_trip, test_tensor_to_image_gray_and_bad_shapes
"""


def tensor_to_image(t):
    if t.dim() != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"expected a (1, H, W) or (3, H, W) tensor, got shape {tuple(t.shape)}")
    with torch.no_grad():
        pixels = torch.round(t.mul_(255)).clamp(0, 255).to(torch.uint8)
    a = pixels.permute(1, 2, 0).numpy()
    if t.shape[0] == 1:
        a = a[:, :, 0]
    return Image.fromarray(np.ascontiguousarray(a))
