"""The answer engine: question forms, retrieval over a video's index, answers composed from evidence.

The modules that recognise questions and compose answers are pure (no I/O): `questions`,
`terms`, `numbers`, `timecodes`, `memory`, `compose`, `citations`. `knowledge` reads a video's
analysis, `retrieval` searches it, `engine` puts the parts together, `model` asks an optional
OpenAI-compatible model to write the answer from the same evidence.
"""
