"""The coding round: the candidate's code run safely against a question's hidden tests, the editor's
timeline of edits, and what the code and its timeline say (complexity, think-aloud before code).

Holds: `results` (a run's outcome as plain data), `timeline` (the edits with their times, replayable),
`session` (a turn's edits and runs, shared by the window and the interview), `sandbox` (a separate,
limited process that runs the tests), `harness` (the script that process runs, with `case_check`, the
comparison it loads by path), `verdict` (the process's progress lines and ending as one result),
`complexity` (a rough big-O read from the code's loops), `think_aloud` (talk before and while coding).
May import: `store`, `bank`, `core`. `scoring`, `interview`, `tools` and the ui may import it.
"""
