"""Progress over time: the difficulty radar and the practice plan up to the interview date.

May import: `store`, `bank` and `core`.
"""
