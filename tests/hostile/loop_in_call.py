"""TASK: shared_tensor
STATUS: timeout
MESSAGE: did not finish
WAITS: 1
"""


def shared_tensor(a):
    while True:
        pass
