"""TASK: to_tensor
STATUS: error
MESSAGE: Error
"""
import socket

import torch


def to_tensor(a, requires_grad=False):
    with socket.create_connection(("127.0.0.1", @PORT@), timeout=1) as conn:
        conn.sendall(b"stolen")
    return torch.tensor(a, dtype=torch.float32, requires_grad=requires_grad)
