"""Candidate code for the ROC-AUC coding question, shared by the coding tests: plausible, and wrong in one way."""

# Sorts and sums ranks, but gives tied scores consecutive ranks: wrong whenever a positive ties a negative.
IGNORES_TIES = '''def roc_auc(scores, labels):
    pairs = sorted(zip(scores, labels))
    pos = sum(y for _, y in pairs)
    neg = len(pairs) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = sum(i + 1 for i, (_, y) in enumerate(pairs) if y == 1)
    return (ranks - pos * (pos + 1) / 2) / (pos * neg)
'''
