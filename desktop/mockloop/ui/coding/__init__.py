"""The code pad of a coding round: the editor (line numbers, Python highlighting, indentation), the
Run button and the results panel, and a read-only viewer Review uses to replay the code.

Below the views (Interview and Review use it), above `common`.
"""
