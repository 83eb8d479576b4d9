"""Review: every session listed, replayed with its words lit as they play, and exported."""
