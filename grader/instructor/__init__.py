"""Grading a class: batch, shards, merge, the gradebook (the instructor's side of the grader)."""
