"""Pieces every view shares: the palette, cards and banners, background jobs, Qt work-arounds, the level meter and the model status."""
