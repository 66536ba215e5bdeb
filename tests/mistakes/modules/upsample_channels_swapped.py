"""Mistake: ConvTranspose2d(out_channels, in_channels, ...): the channel arguments swapped

TASK: upsample
PITFALL: The arguments are ``(in_channels, out_channels, ...)``, as for Conv2d.
"""


def upsample(in_channels: int, out_channels: int) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(out_channels, in_channels, kernel_size=2, stride=2)
