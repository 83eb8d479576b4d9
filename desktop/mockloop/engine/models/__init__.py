"""The models: finding them (registry, GGUF headers), the local LLM, the engines built from one Settings,
their background warm-up, and the offline guard.

May import: `speech` and `understanding` (the engines it builds), `audio` and `core`.
"""
