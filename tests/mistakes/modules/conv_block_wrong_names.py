"""Mistake: the add_module style uses the names conv/bn/relu

TASK: conv_block
PITFALL: Names matter: they are the keys of ``state_dict``
KEEPS: test_conv_block_args, test_conv_block_unknown_style
"""


def conv_block(style: str) -> nn.Sequential:
    if style == "add_module":
        block = nn.Sequential()
        block.add_module("conv", nn.Conv2d(3, 3, 3))
        block.add_module("bn", nn.BatchNorm2d(3))
        block.add_module("relu", nn.ReLU())
        return block
    if style == "args":
        # Positional children are named "0", "1", "2".
        return nn.Sequential(nn.Conv2d(3, 3, 3), nn.BatchNorm2d(3), nn.ReLU())
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
    raise ValueError(f"unknown style {style!r}: expected 'add_module', 'args' or 'ordered_dict'")
