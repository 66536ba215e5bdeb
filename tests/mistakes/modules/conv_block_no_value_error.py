"""Mistake: an unknown style silently gets the 'args' block instead of a ValueError

TASK: conv_block
KEEPS: test_conv_block_args, test_conv_block_named_styles
"""


def conv_block(style: str) -> nn.Sequential:
    if style == "add_module":
        block = nn.Sequential()
        block.add_module("conv", nn.Conv2d(3, 3, 3))
        block.add_module("batchnorm", nn.BatchNorm2d(3))
        block.add_module("activation_layer", nn.ReLU())
        return block
    if style == "ordered_dict":
        return nn.Sequential(
            OrderedDict(
                [
                    ("conv1", nn.Conv2d(3, 3, 3)),
                    ("bn1", nn.BatchNorm2d(3)),
                    ("relu1", nn.ReLU()),
                ]
            )
        )
    # Positional children are named "0", "1", "2".
    return nn.Sequential(nn.Conv2d(3, 3, 3), nn.BatchNorm2d(3), nn.ReLU())
