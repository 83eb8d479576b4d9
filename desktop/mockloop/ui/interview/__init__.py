"""The Interview view: the question, live captions, the controls, and the worker thread that runs the engine's interview."""
