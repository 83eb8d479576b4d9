"""Question banks: the schema, the YAML loader and filtering.

May import: `core` only.
"""

from mockloop.engine.bank.schema import Bank, Persona, Question, RadarAxis, RubricPoint
from mockloop.engine.bank.loader import BankSet, load_bank_file, load_banks

__all__ = ["Bank", "BankSet", "Persona", "Question", "RadarAxis", "RubricPoint", "load_bank_file", "load_banks"]
