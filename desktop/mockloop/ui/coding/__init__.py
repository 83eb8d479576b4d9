"""The code pad of a coding round: the editor (line numbers, Python highlighting, indentation), the
Run button and the results panel, and a read-only viewer Review uses to replay the code.

Holds: `editor` (`CodeEditor`), `highlighter` (`PythonHighlighter`), `results_panel` (`RunResultsPanel`),
`pad` (`CodePad`: editor, Run, results, edits and runs recorded in a `CodeSession`), `replay` (`CodeReplay`),
`colours` (syntax and status colours kept readable on the palette), `text_edits` (the diff of two texts,
UTF-16 positions). Below the views (Interview and Review use it), above `common`.
"""
