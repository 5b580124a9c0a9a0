"""A tiny reader of gettext .po files (polib is not a dependency): enough to check the catalogs."""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import handover

LOCALE_DIR = Path(handover.__file__).resolve().parent / "locale"
LANGUAGES = ["fr", "de", "it", "es"]

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


@dataclass
class Entry:
    """One message: its context, id, plural id, translations (by plural index) and flags."""

    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def _string(literal: str) -> str:
    # A .po string literal is a C string; these escapes are the ones Python shares with it.
    return ast.literal_eval(literal)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started
        if started:
            entries.append(current)
        current, started = Entry(), False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#,"):
            if started and current.msgstr:
                finish()
            current.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            if started and current.msgstr:
                finish()
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            if keyword in {"msgctxt", "msgid"} and current.msgstr:
                finish()
            started = True
            text = _string(literal)
            if keyword == "msgctxt":
                current.msgctxt, target = text, ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid, target = text, ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = text, ("msgid_plural", 0)
            else:
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = text
            continue
        if line.startswith('"') and target is not None:
            name, i = target
            if name == "msgstr":
                current.msgstr[i] += _string(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _string(line))
            continue
        raise ValueError(f"{path}: cannot read {raw!r}")
    finish()
    return entries


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


# What a translation must carry over unchanged: named and positional placeholders, template variables,
# HTML tags with their attributes, and code in backquotes.
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{.*?\}\}|\{\w*\}|<[^>]+>|`[^`]+`")


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))
