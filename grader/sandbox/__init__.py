"""Starting and confining the worker: the bubblewrap plan, cgroups, the reaper, and the client
that talks to it. Trusted code."""
