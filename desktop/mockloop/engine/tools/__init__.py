"""What the headless commands run: doctor, the benchmarks and their speech set, and one-answer headless turns.

May import: every other wing. Nothing imports this wing except the command line.
"""
