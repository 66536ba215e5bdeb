"""What the grader writes: the report dict (build), its formats, the summary table."""
