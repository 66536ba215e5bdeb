"""LEAVES: open file descriptors (a file, a pipe, a socket) at high numbers"""
import os
import socket

_fd = os.open("/tmp/leak-descriptor", os.O_RDWR | os.O_CREAT, 0o600)
os.dup2(_fd, 700)
os.unlink("/tmp/leak-descriptor")  # open, unnamed: only the descriptor holds it ("(deleted)")
_r, _w = os.pipe()
os.dup2(_r, 701)
_s = socket.socket()
os.dup2(_s.fileno(), 702)
