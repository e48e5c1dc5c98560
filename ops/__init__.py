"""Project tooling: model training cache, process start-up, Rasa endpoint files."""
