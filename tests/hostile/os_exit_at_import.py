"""TASK: *
STATUS: crashed
EXERCISE: import_error
MESSAGE: exited with status 3
"""
import os
os._exit(3)
