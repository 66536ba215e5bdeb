"""Exercise 6: Dataset and DataLoader.

A ``Dataset`` answers two questions: how many items (``__len__``) and what is
item ``i`` (``__getitem__``). A ``DataLoader`` draws indices (in order or
shuffled), fetches the items and stacks them into batches with a
``collate_fn``.

Picture: assets_picture/data_loader_batches.png
"""

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset, TensorDataset, WeightedRandomSampler


class SquaresDataset(Dataset):
    """A dataset of ``n`` pairs: item ``i`` is ``(tensor([float(i)]), tensor([float(i * i)]))``.

    Indices behave as in a list: ``-1`` is the last item, and an index outside
    ``[-n, n)`` raises ``IndexError``.

    Example:
        >>> ds = SquaresDataset(5)
        >>> len(ds)
        5
        >>> ds[3]
        (tensor([3.]), tensor([9.]))
        >>> ds[-1]
        (tensor([4.]), tensor([16.]))
        >>> ds[5]
        Traceback (most recent call last):
        IndexError: ...

    Pitfalls:
        Subclass ``Dataset`` and implement ``__len__`` and ``__getitem__``.
        Raise ``IndexError`` (not ValueError, not a wrapped-around item):
        ``for x in ds`` and ``list(ds)`` use Python's old iteration protocol,
        which stops only on IndexError; without it they never end.
    """

    def __init__(self, n: int):
        raise NotImplementedError("SquaresDataset.__init__ is not implemented yet")

    def __len__(self) -> int:
        raise NotImplementedError("SquaresDataset.__len__ is not implemented yet")

    def __getitem__(self, i):
        raise NotImplementedError("SquaresDataset.__getitem__ is not implemented yet")


def make_loader(X, y, batch_size, shuffle=False, drop_last=False, seed=0) -> DataLoader:
    """Return a ``DataLoader`` over ``TensorDataset(X, y)``.

    With ``shuffle=True`` the order must be reproducible: the same seed gives
    the same batches, every time the function is called.

    Example:
        >>> loader = make_loader(torch.arange(10.), torch.arange(10), 4)
        >>> [len(xb) for xb, yb in loader]
        [4, 4, 2]

    Pitfall:
        ``torch.manual_seed(seed)`` before building the loader changes the
        global RNG for the whole program, and the order then depends on what
        else ran. Give the loader a seeded ``torch.Generator`` of its own
        (the ``generator=`` argument).
    """
    raise NotImplementedError("make_loader is not implemented yet")


def count_batches(n: int, batch_size: int, drop_last: bool) -> int:
    """Return how many batches a loader over ``n`` items yields.

    Example:
        >>> count_batches(10, 4, drop_last=False), count_batches(10, 4, drop_last=True)
        (3, 2)

    Pitfall:
        The last batch is short when ``batch_size`` does not divide ``n``;
        ``drop_last`` decides whether it is yielded. Mind the exact multiples.
    """
    raise NotImplementedError("count_batches is not implemented yet")


def pad_collate(batch):
    """Collate ``(seq, label)`` pairs with 1-D sequences of different lengths.

    Return ``(padded, lengths, labels)``: ``padded`` is ``(B, max_len)``,
    zero-padded at the end of each shorter sequence; ``lengths`` and
    ``labels`` are int64 ``(B,)``. Usable as ``DataLoader(..., collate_fn=pad_collate)``.

    Example:
        >>> batch = [(torch.tensor([1, 2, 3]), 0), (torch.tensor([4]), 1)]
        >>> pad_collate(batch)
        (tensor([[1, 2, 3],
                 [4, 0, 0]]), tensor([3, 1]), tensor([0, 1]))

    Pitfall:
        The default collate calls ``torch.stack``, which needs equal shapes and
        raises on sequences of different lengths. Record the lengths *before*
        padding: afterwards every row has length max_len.
        ``torch.nn.utils.rnn.pad_sequence`` does the padding (mind ``batch_first``).
    """
    raise NotImplementedError("pad_collate is not implemented yet")


def balanced_loader(X, y, batch_size, seed=0) -> DataLoader:
    """Return a ``DataLoader`` over ``TensorDataset(X, y)`` whose batches are class-balanced.

    ``y`` holds integer class labels, possibly very imbalanced (say 90 % of
    class 0). Give the loader a ``WeightedRandomSampler`` with

    - one weight *per sample*: ``1 / (number of samples of its class)``,
    - ``num_samples=len(y)`` (an epoch is as long as the dataset),
    - ``replacement=True``,
    - ``generator=torch.Generator().manual_seed(seed)``.

    Every class then has the same total weight, so each draw picks each class
    about equally often: rare samples come back several times in an epoch,
    common ones are skipped. The same seed gives the same batches.

    Example:
        >>> y = torch.tensor([0] * 90 + [1] * 10)
        >>> loader = balanced_loader(torch.randn(100, 2), y, batch_size=20)
        >>> sum(int((yb == 1).sum()) for _, yb in loader)   # about 50 of the 100, not 10
        47

    Picture: assets_picture/data_balanced_sampler.png

    Pitfalls:
        ``shuffle=True`` only reorders: class 1 is still 10 % of every epoch
        (and a sampler cannot be combined with ``shuffle``). The weights go to
        *samples*, one per item of the dataset, not one per class: a list of two
        class weights would make the sampler draw the indices 0 and 1 only.
        With ``replacement=False`` each sample is drawn once: a weighted shuffle,
        still 90/10. Seed the sampler's own generator; ``torch.manual_seed``
        before building the loader does not fix the order of a later epoch.
    """
    raise NotImplementedError("balanced_loader is not implemented yet")
