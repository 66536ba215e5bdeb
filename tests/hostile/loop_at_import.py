"""TASK: *
STATUS: timeout
EXERCISE: import_error
"""
while True:
    pass
