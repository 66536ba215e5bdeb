"""LEAVES: module globals (builtins, torch, numpy, os)"""
import builtins
import os

import numpy
import torch

builtins.LEAKED = torch.LEAKED = numpy.LEAKED = os.LEAKED = True
