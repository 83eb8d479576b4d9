"""The interview: the runner's state machine, the listening turn, the loop plan, follow-ups, the
interviewer's stock lines, where answers come from (microphone, file or typed text), and the
runner's vocabulary: its commands, its events and the record of a scored answer.

May import: every wing below it (`scoring`, `progress`, `store`, `models`, `speech`, `audio`, `bank`, `core`).
"""
