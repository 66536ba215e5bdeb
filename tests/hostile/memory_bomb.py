"""TASK: shared_tensor
STATUS: crashed
MESSAGE: memory
"""


def shared_tensor(a):
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))
