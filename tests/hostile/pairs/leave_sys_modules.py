"""LEAVES: a sys.modules entry"""
import sys
import types

sys.modules["leaked_module"] = types.ModuleType("leaked_module")
