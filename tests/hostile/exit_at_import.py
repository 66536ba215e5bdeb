"""TASK: *
STATUS: crashed
EXERCISE: import_error
MESSAGE: end the process
"""
import sys
sys.exit(0)
