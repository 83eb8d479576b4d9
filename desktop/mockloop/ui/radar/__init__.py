"""The difficulty radar: performance per topic over the bank's difficulty, and the answers behind each axis."""
