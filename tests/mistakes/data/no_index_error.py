"""Mistake: __getitem__ never raises IndexError (any index returns an item)

TASK: SquaresDataset
PITFALL: Raise ``IndexError`` (not ValueError, not a wrapped-around item)
KEEPS: test_squares_dataset_len_and_items, test_squares_dataset_negative_indices
"""


class SquaresDataset(Dataset):
    """Item i is (tensor([i]), tensor([i * i])) as float32, for i in range(n)."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        i = operator.index(i)  # accepts int, numpy ints, 0-d int tensors; rejects floats
        # Python's for-loop over a Dataset (and list(ds)) stops on IndexError,
        # so an out-of-range index must raise it rather than return something.
        if i < 0:
            i += self.n  # negative indices count from the end, as in a list
        x = float(i)
        return torch.tensor([x]), torch.tensor([x * x])
