"""Qt widgets, views and the thin QObject adapters over mockloop.engine."""
