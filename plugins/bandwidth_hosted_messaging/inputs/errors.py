"""The errors of bad input: they name the field (and the file), and say why."""

from __future__ import annotations

from pathlib import Path


class RequestError(ValueError):
    """
    An import or remove request field is invalid. ``field`` names it; the message says why.

    :param rule: the rule broken, without the value (what a batch file's error shows); defaults to ``message``.
    """

    def __init__(self, field_name: str, message: str, rule: str | None = None) -> None:
        self.field = field_name
        self.reason = message
        self.rule = rule or message
        super().__init__(f"{field_name}: {message}")


class BatchFileError(ValueError):
    """A batch (or config) file is invalid: ``path`` and ``field`` say where, the message says why."""

    def __init__(self, path: Path | str, field_name: str | None, message: str) -> None:
        self.path = str(path)
        self.field = field_name
        self.reason = message
        where = f"{self.path}: {field_name}" if field_name else self.path
        super().__init__(f"{where}: {message}")
