"""LEAVES: a process in its own session, listening on localhost and an abstract socket"""
import socket
import subprocess
import sys
import time

_LISTENER = r'''
import socket, time
# leak-marker
servers = []
for family, address in ((socket.AF_UNIX, "\0grader-leak"), (socket.AF_INET, ("127.0.0.1", 47123))):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind(address)
    s.listen()
    servers.append(s)
while True:
    time.sleep(1)
'''
subprocess.Popen([sys.executable, "-c", _LISTENER, "leak-marker"], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_deadline = time.monotonic() + 10
while time.monotonic() < _deadline:  # listening before the grading goes on
    _probe = socket.socket(socket.AF_UNIX)
    try:
        _probe.connect("\0grader-leak")
        break
    except OSError:
        time.sleep(0.05)
    finally:
        _probe.close()
