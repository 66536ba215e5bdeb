"""The only code that runs inside the sandbox: the worker, the codec it shares with the trusted
side, and the prelude of probes. Nothing here imports the rest of the package, so that the sandbox
can show these files alone."""
