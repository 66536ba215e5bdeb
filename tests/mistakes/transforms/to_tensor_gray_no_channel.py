"""Mistake: an "L" image comes back (H, W), without its channel dim

TASK: image_to_tensor
PITFALL: An "L" image gives a 2-D array: add the channel dim.
KEEPS: test_image_to_tensor_small_rgb, test_image_to_tensor_rgb, test_image_to_tensor_chw_scaled
"""


def image_to_tensor(img):
    a = np.asarray(img, dtype=np.float32) / 255.0
    if a.ndim == 2:
        return torch.from_numpy(a.copy())
    return torch.from_numpy(a).permute(2, 0, 1).contiguous()
