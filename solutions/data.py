"""Reference solution: Dataset and DataLoader.

"""

import operator

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset, TensorDataset, WeightedRandomSampler


class SquaresDataset(Dataset):
    """Item i is (tensor([i]), tensor([i * i])) as float32, for i in range(n)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
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


def make_loader(X, y, batch_size, shuffle=False, drop_last=False, seed=0):
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


def count_batches(n, batch_size, drop_last):
    # drop_last discards the short last batch (floor); otherwise it is kept (ceil).
    if drop_last:
        return n // batch_size
    return -(-n // batch_size)  # ceil without floats


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    # pad_sequence stacks 1-D tensors of different lengths into (B, max_len),
    # filling the tail of the shorter ones with padding_value.
    padded = pad_sequence(list(seqs), batch_first=True, padding_value=0)
    labels = torch.tensor([int(label) for label in labels], dtype=torch.int64)
    return padded, lengths, labels


def balanced_loader(X, y, batch_size, seed=0):
    # One weight per *sample*: 1 / (size of its class). Every class then has the
    # same total weight, so each draw picks each class with the same probability.
    # return_inverse maps each label to its class number, whatever the label values.
    _, inverse, counts = torch.unique(y, return_inverse=True, return_counts=True)
    weights = 1.0 / counts[inverse].double()
    sampler = WeightedRandomSampler(
        weights,
        num_samples=len(y),
        replacement=True,  # without replacement, every sample comes once: a shuffle, no balancing
        generator=torch.Generator().manual_seed(seed),  # the sampler's own randomness, reproducible
    )
    # The sampler decides the order, so no shuffle= (DataLoader refuses both).
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, sampler=sampler)
