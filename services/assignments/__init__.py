"""Assignments: the organisation tree, cadres and who is assigned to keep close to which unit."""
