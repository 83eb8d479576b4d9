"""Sound in and out: devices, capture, playback, resampling, the recorder, device checks, loading files.

May import: `core` only. Nothing here knows about speech, models or interviews.
"""
