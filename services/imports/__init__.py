"""Imports: spreadsheet import jobs into the registry, exports back out, coverage."""
