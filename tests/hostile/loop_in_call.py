"""TASK: shared_tensor
STATUS: timeout
MESSAGE: did not finish
"""


def shared_tensor(a):
    while True:
        pass
