"""CLI verbs (filled in by the notices work)."""


def register(sub) -> None:  # noqa: ANN001
    pass
