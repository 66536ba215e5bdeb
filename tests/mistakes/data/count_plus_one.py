"""Mistake: n // batch_size + 1 for the kept short batch, wrong on exact multiples

TASK: count_batches
PITFALL: The last batch is short when ``batch_size`` does not divide ``n`` ... Mind the exact multiples.
KEEPS: test_count_batches_basic
"""


def count_batches(n: int, batch_size: int, drop_last: bool) -> int:
    # drop_last discards the short last batch (floor); otherwise it is kept (ceil).
    if drop_last:
        return n // batch_size
    return n // batch_size + 1
