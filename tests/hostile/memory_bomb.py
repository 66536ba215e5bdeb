"""TASK: shared_tensor
STATUS: crashed
MESSAGE: memory
TIMEOUT: 10
"""


def shared_tensor(a):
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))
