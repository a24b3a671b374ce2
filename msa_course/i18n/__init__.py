"""Two languages from one source: the active language, and every string the package shows in it.

English is the source. A string shown to a learner is written in English in the code and
passed through `tr()`, which returns it in the active language from that language's catalogue
(`msa_course/i18n/<lang>/*.yaml`, English text as the key). The notebook's setup cell sets the
language (`msa_course.setup_notebook(lang="ko")`); the grader sets it from the submission.

The grader's and the workshop's sentences are keyed instead (`grading/messages.py`,
`workshop/messages.py`: whole sentences by key); their other languages come from
`<lang>/grading.yaml` and `<lang>/workshop.yaml` through `Catalogues`.

Cheap to import: nothing is read until a string in a language other than English is needed,
so `import msa_course` never pays for it and English costs one comparison per string.
"""

from __future__ import annotations

import functools
import os
import re
import string
from collections.abc import Iterator, Mapping
from importlib import resources

LANGUAGES = ("en", "ko")
DEFAULT = "en"
NAMES = {"en": "English", "ko": "한국어"}
KEYED = ("grading", "workshop")  # catalogues keyed like <domain>/messages.py, not by English
_state = {"lang": DEFAULT}


class TranslationError(ValueError):
    """A catalogue that cannot be read, or a language the course does not have."""


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise TranslationError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return lang


def language() -> str:
    """The active language: what `tr()` and the check helpers answer in."""
    return _state["lang"]


def set_language(lang: str) -> None:
    _state["lang"] = check_language(lang)


def locale_language(environ: Mapping[str, str] | None = None) -> str:
    """The course language the user's locale asks for (LC_ALL, LC_MESSAGES, LANG, as POSIX
    reads them); English unless it is Korean."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "ko" if value.lower().startswith("ko") else DEFAULT
    return DEFAULT


def N_(text: str, /) -> str:
    """Mark a string as shown to learners where it is data (a model's labels): returned as
    it is, and found by msa_course.i18n.extract so its translation is checked. The view
    translates it when it shows it: `tr(layer.name)`."""
    return text


def tr(text: str, /, lang: str | None = None, **values) -> str:
    """`text` (English, which is also its key) in `lang` (default: the active language),
    with `values` filled into its {placeholders}.

    Without values, a text with no entry of its own is also matched against the catalogue's
    templates with positional `{}` holes: a visible check's f-string arrives formatted
    ("not '1'"), and its entry is the f-string's template ("not {}"). A text with no
    translation is shown in English.
    """
    lang = lang or _state["lang"]
    template = text
    if lang != DEFAULT and text:
        found = strings(lang).get(text)
        if found is not None:
            template = found
        elif not values:
            return _from_template(text, lang) or text
    return template.format(**values) if values else template


def menu(labels) -> list[tuple[str, str]]:
    """A menu's options: each label shown in the active language, valued by its English text
    (what the model, the tests and a static state see)."""
    return [(tr(label), label) for label in labels]


def _from_template(text: str, lang: str) -> str | None:
    for pattern, translated in _templates(lang):
        match = pattern.fullmatch(text)
        if match:
            return translated.format(*match.groups())
    return None


@functools.cache
def _templates(lang: str) -> tuple[tuple[re.Pattern, str], ...]:
    found = []
    for english, translated in strings(lang).items():
        if "{}" in english:
            parts = [re.escape(p) for p in english.split("{}")]
            found.append((re.compile("(.*?)".join(parts), re.DOTALL), translated))
    return tuple(found)


@functools.cache
def strings(lang: str) -> dict[str, str]:
    """English -> `lang` for every string the package shows (every catalogue file of the
    language except the keyed ones), read on first use."""
    merged: dict[str, str] = {}
    for name, data in _files(check_language(lang)):
        if name in KEYED:
            continue
        for english, translated in data.items():
            if english in merged and merged[english] != translated:
                raise TranslationError(
                    f"{lang}/{name}.yaml: {english!r} is translated differently in another file"
                )
            merged[english] = translated
    return merged


@functools.cache
def messages(domain: str, lang: str) -> dict[str, str]:
    """A keyed catalogue (`domain` in KEYED) in `lang`: message key -> sentence."""
    for name, data in _files(check_language(lang)):
        if name == domain:
            return data
    return {}


def _files(lang: str) -> list[tuple[str, dict[str, str]]]:
    """(file stem, mapping) of every catalogue file of `lang`, checked to map text to text."""
    if lang == DEFAULT:
        return []
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found = []
    folder = resources.files(__name__).joinpath(lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        where = f"msa_course/i18n/{lang}/{entry.name}"
        try:
            data = yaml.load(entry.read_text(encoding="utf-8"), Loader=loader) or {}
        except yaml.YAMLError as err:
            raise TranslationError(f"{where}: not valid YAML ({err})") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise TranslationError(f"{where}: must map each text to its translation (strings)")
        found.append((entry.name[: -len(".yaml")], data))
    return found


def width(text: str) -> int:
    """How many columns a monospace font (a notebook's output, a terminal) gives `text`: a
    Hangul syllable (any wide East Asian character) takes two."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    """`text` padded with spaces to `columns` as a monospace font draws it (str.ljust counts
    a Hangul syllable as one column, so translated labels would not line up)."""
    return text + " " * max(0, columns - width(text))


def wrap(text: str, columns: int) -> str:
    """`text` broken at spaces into lines of at most `columns` display columns, "<br>" (a
    chart's line break) between them. Columns as `width` counts them, so a Korean label is no
    wider than the English one; a word wider than `columns` gets a line of its own."""
    lines: list[str] = []
    for word in text.split():
        line = f"{lines[-1]} {word}" if lines else word
        if lines and width(line) <= columns:
            lines[-1] = line
        else:
            lines.append(word)
    return "<br>".join(lines)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class Catalogues(Mapping):
    """language -> keyed catalogue of one domain: English from the module that owns the
    sentences, the other languages from this package's files, read when first asked for."""

    def __init__(self, domain: str, english: dict[str, str]):
        self._domain, self._english = domain, english

    def __getitem__(self, lang: str) -> dict[str, str]:
        if lang == DEFAULT:
            return self._english
        if lang not in LANGUAGES:
            raise KeyError(lang)
        return messages(self._domain, lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


def notebook_language(nb: Mapping) -> str:
    """The language a notebook is written in: its metadata's msa_course.lang, else English.
    A value the course does not know counts as English (a submission may say anything)."""
    meta = nb.get("metadata") if isinstance(nb, Mapping) else None
    course = meta.get("msa_course") if isinstance(meta, Mapping) else None
    lang = course.get("lang") if isinstance(course, Mapping) else None
    return lang if lang in LANGUAGES else DEFAULT
