"""The interview: the runner's state machine, the listening turn, the loop plan, follow-ups, the
interviewer's stock lines and where answers come from (microphone, file or typed text).

May import: every wing below it (`scoring`, `progress`, `store`, `models`, `speech`, `audio`, `bank`, `core`).
"""
