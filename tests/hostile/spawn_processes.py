"""TASK: none
STATUS: passed
"""
import os
import subprocess
import sys

# Children that would outlive grading: one in its own session, one double-forked daemon.
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)  # @MARKER@"],
                 start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)  # @MARKER@"])
    os._exit(0)
