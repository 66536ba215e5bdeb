"""Mistake: feeds every step the original input instead of the previous output

TASK: compose
PITFALL: Each step gets the *previous step's output*, not the original input.
"""


def compose(*steps):
    def composed(x):
        out = x
        for step in steps:
            out = step(x)
        return out

    return composed
