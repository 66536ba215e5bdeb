"""Mistake: ConvTranspose2d with kernel 3 and stride 1: (H, W) -> (H + 2, W + 2), not doubled

TASK: upsample
PITFALL: kernel 3 and stride 1 give ``H + 2``, not ``2H``.
"""


def upsample(in_channels: int, out_channels: int) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(in_channels, out_channels, kernel_size=3)
