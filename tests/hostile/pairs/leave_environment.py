"""LEAVES: an environment variable"""
import os

os.environ["LEAKED"] = "1"
