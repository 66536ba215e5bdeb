"""Mistake: a[:, cols]: an (n, n) block instead of one element per row

TASK: pick_per_row
PITFALL: ``a[:, cols]`` picks a whole block (every row x every listed column), shape (n, n), not one element per row.
"""


def pick_per_row(a: np.ndarray, cols) -> np.ndarray:
    # Two index arrays are paired element by element: (0, cols[0]), (1, cols[1]), ...
    # a[:, cols] would instead take the whole (n, len(cols)) block.
    return a[:, cols]
