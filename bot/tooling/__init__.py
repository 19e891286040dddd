"""Development and operations tooling around the runtime core: starting processes, the trained-model cache,
`bot serve` and `bot eval`. Nothing here runs inside the Rasa or action servers."""
