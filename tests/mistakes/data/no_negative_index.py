"""Mistake: negative indices raise IndexError instead of counting from the end

TASK: SquaresDataset
KEEPS: test_squares_dataset_len_and_items, test_squares_dataset_raises_index_error
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
        if not 0 <= i < self.n:
            raise IndexError(f"index {i} out of range for SquaresDataset of length {self.n}")
        x = float(i)
        return torch.tensor([x]), torch.tensor([x * x])
