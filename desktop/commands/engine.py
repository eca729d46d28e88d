"""CLI verbs (filled in by the engine work)."""


def register(sub) -> None:  # noqa: ANN001
    pass
