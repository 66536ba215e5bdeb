"""LEAVES: files in /tmp and /dev/shm, and a SysV shared memory segment"""
import ctypes

for folder in ("/tmp", "/dev/shm"):
    with open(f"{folder}/leak-file", "w") as fh:
        fh.write("from the student before")
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmget(1280655, 4096, 0o1000 | 0o666)  # IPC_CREAT: it outlives the process that made it
