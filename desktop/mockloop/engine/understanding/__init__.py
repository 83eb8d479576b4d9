"""Text understanding: the bundled static word-embedding model that tells whether two pieces of text
say the same thing, used by scoring to judge answers by meaning and not by vocabulary alone.

May import: `core` only. The models wing finds and shares the model (models/text_model.py).
"""
