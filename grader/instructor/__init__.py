"""The instructor's side: class batches, shards and merge, the gradebook, handouts and platform packages."""
