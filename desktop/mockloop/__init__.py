"""mockloop: an offline, voice-driven mock interview desktop app."""

__version__ = "0.1.0"
