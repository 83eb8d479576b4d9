"""Settings: devices with their tests, voice, persona, model paths, end of turn and the data folder."""
