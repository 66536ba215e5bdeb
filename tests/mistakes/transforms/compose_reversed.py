"""Mistake: applies the steps right to left

TASK: compose
PITFALL: Order matters
"""


def compose(*steps):
    def composed(x):
        for step in reversed(steps):
            x = step(x)
        return x

    return composed
