"""Speech: transcript types, Whisper decoding and streaming captions, voice activity, end of turn, and the voice.

May import: `core` and `audio`. The models wing builds these engines; nothing here imports it.
"""
