"""A throwaway record kind that exists only under test: one model and its Kind, nothing else.

It proves the short list in docs/architecture.md ("Adding a kind"): declared here and installed
by tests/settings.py, it gets its pages, import, export, search, rules and the permission
matrix from the generic machinery without any other edit.
"""
