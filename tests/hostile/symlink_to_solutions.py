"""TASK: *
STATUS: error
EXERCISE: import_error
MESSAGE: link to a file outside the submission
"""
# Not appended like the others: tests/test_hostile.py makes tensor_numpy.py a symbolic link to
# the reference solution. The sandbox shows only the submission's folder, so the link leads
# nowhere and the module cannot be imported.
