"""The student's side: list, check, hint and watch, for a person at a terminal or in a notebook."""
