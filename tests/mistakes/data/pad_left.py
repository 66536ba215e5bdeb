"""Mistake: pads at the front of the shorter sequences instead of the end

TASK: pad_collate
"""

import operator

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset, TensorDataset


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
        if not -self.n <= i < self.n:
            raise IndexError(f"index {i} out of range for SquaresDataset of length {self.n}")
        if i < 0:
            i += self.n  # negative indices count from the end, as in a list
        x = float(i)
        return torch.tensor([x]), torch.tensor([x * x])


def make_loader(X, y, batch_size, shuffle=False, drop_last=False, seed=0) -> DataLoader:
    # A seeded generator of its own makes the shuffle order reproducible without
    # reseeding (or depending on) the global RNG.
    generator = torch.Generator().manual_seed(seed) if shuffle else None
    return DataLoader(
        TensorDataset(X, y),
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        generator=generator,
    )


def count_batches(n: int, batch_size: int, drop_last: bool) -> int:
    # drop_last discards the short last batch (floor); otherwise it is kept (ceil).
    if drop_last:
        return n // batch_size
    return -(-n // batch_size)  # ceil without floats


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    # pad_sequence stacks 1-D tensors of different lengths into (B, max_len),
    # filling the tail of the shorter ones with padding_value.
    max_len = max(len(s) for s in seqs)
    padded = torch.stack([torch.cat([s.new_zeros(max_len - len(s)), s]) for s in seqs])
    labels = torch.tensor([int(label) for label in labels], dtype=torch.int64)
    return padded, lengths, labels
