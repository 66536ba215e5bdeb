"""The instructor's side: class batches, handouts and platform packages."""
