"""LEAVES: a thread running forever"""
import threading
import time


def _spin():
    while True:
        time.sleep(0.05)


threading.Thread(target=_spin, name="leak-thread", daemon=True).start()
