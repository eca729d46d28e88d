"""CLI verbs (filled in by the exchange work)."""


def register(sub) -> None:  # noqa: ANN001
    pass
