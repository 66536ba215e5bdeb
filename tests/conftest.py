import os
import sys

# The project's tests import their helpers as plain modules.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
