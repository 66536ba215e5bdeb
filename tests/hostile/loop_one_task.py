"""TASK: to_numpy
STATUS: timeout
MESSAGE: did not finish
WAITS: 1
"""


def to_numpy(t):
    # One endless loop costs one timeout: the task's later tests are `timeout` at once.
    while True:
        pass
