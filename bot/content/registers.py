"""What the staff registers (service points, recruiters) share: problems named row by row, and CSV imports that
check every row before anything is saved."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row: `code` names it (the console translates it); `row` counts the header as 1."""

    row: int
    column: str
    code: str
    value: str = ""

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row else ""
        return f"{where}{self.column}: {self.code}" + (f" ({self.value!r})" if self.value else "")


class RegisterError(ValueError):
    """A change the register rules do not allow; `problems` says what, row by row for an import."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))



def read_csv(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(row number, row)]) of a CSV text; the header is row 1. A leading BOM is ignored."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows:
        return [], []
    header = [h.strip().lower() for h in rows[0]]
    body = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        body.append((number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}))
    return header, body


def check_header(header: list[str], known: Iterable[str], required: Iterable[str]) -> list[Problem]:
    problems = [Problem(1, column, "missing_column") for column in required if column not in header]
    problems += [Problem(1, column, "unknown_column") for column in header if column and column not in known]
    return problems


def validated_rows(text: str, columns: Iterable[str], required: Iterable[str],
                   clean_row: Callable[[dict[str, str], int], tuple[dict[str, Any], list[Problem]]],
                   unique: Optional[tuple[str, Callable[[dict], str], Callable[[dict], str]]] = None
                   ) -> list[dict[str, Any]]:
    """Every row of a CSV, cleaned; RegisterError with all the problems (header, rows, duplicates) when any.
    `unique` is (column named in the problem, the key that must not repeat, the value shown)."""
    header, rows = read_csv(text)
    problems = check_header(header, columns, required)
    if not rows and not problems:
        problems.append(Problem(1, "", "no_rows"))
    if problems:
        raise RegisterError(problems)
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, raw in rows:
        data, row_problems = clean_row(raw, number)
        if unique is not None:
            column, key_of, shown = unique
            key = key_of(data)
            if key and key in seen:
                row_problems.append(Problem(number, column, "duplicate", shown(data)))
            seen.add(key)
        problems += row_problems
        cleaned.append(data)
    if problems:
        raise RegisterError(problems)
    return cleaned
