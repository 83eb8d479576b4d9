"""The models: finding them (registry, GGUF headers), the local LLM, the engines built from one Settings,
their background warm-up, and the offline guard.

May import: `core`, `audio` and `speech` (the engines it builds).
"""
