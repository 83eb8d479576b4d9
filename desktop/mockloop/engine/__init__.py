"""The Qt-free core of mockloop: models, question banks, speech and scoring."""
