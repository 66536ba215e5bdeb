"""TASK: to_numpy
STATUS: timeout
"""
import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)


def to_numpy(t):
    while True:
        time.sleep(0.01)
