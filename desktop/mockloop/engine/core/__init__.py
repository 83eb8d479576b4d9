"""The engine's foundation: typed user-facing errors, folders, settings and what a resolved model is.

May import: the standard library and third-party packages only, never another wing.
"""
