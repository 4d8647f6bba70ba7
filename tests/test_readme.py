"""The README's "Ids and drop reasons" table is the sources' declarations, rendered: each
source's id form, drop reasons (with what each means), error reasons, merged records and
warnings, in the registry's order. A changed declaration fails here with the table to paste."""

from __future__ import annotations

from pathlib import Path

from pipeline.registry import sources

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Ids and drop reasons"


def reasons_table() -> list[str]:
    lines = [
        "| source | id | drop reasons | error reasons | merged | warnings |",
        "|---|---|---|---|---|---|",
    ]
    for spec in sources():
        dropped = "; ".join(
            f"`{reason}`: {meaning}" for reason, meaning in spec.drop_reasons.items()
        )
        errors = ", ".join(f"`{reason}`" for reason in spec.error_reasons)
        merged = "; ".join(
            f"`{reason}`: {meaning}" for reason, meaning in spec.merged_reasons.items()
        )
        warnings = "; ".join(
            f"`{reason}`: {meaning}" for reason, meaning in spec.warning_reasons.items()
        )
        lines.append(
            f"| {spec.name} | {spec.id_form} | {dropped} | {errors} | {merged} | {warnings} |"
        )
    return lines


def readme_table() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{SECTION}\n")
    section = text[start : text.index("\n## ", start + 1)]
    return [line for line in section.splitlines() if line.startswith("|")]


def test_the_reasons_table_is_the_declarations() -> None:
    expected = reasons_table()
    assert readme_table() == expected, "the README's table should read:\n" + "\n".join(expected)
