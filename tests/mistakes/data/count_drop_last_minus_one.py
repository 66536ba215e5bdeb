"""Mistake: drop_last taken as 'one batch fewer', wrong on exact multiples

TASK: count_batches
PITFALL: ``drop_last`` decides whether it is yielded. Mind the exact multiples.
KEEPS: test_count_batches_basic
"""


def count_batches(n: int, batch_size: int, drop_last: bool) -> int:
    # drop_last discards the short last batch (floor); otherwise it is kept (ceil).
    full = -(-n // batch_size)  # ceil without floats
    if drop_last:
        return full - 1
    return full
