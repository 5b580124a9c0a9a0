"""Languages in tests: each test starts in English, and what counts as English left on a page or in an
email shown in another language."""

import re
from collections.abc import Iterable

import pytest
from django.utils import translation
from playwright.sync_api import Page


@pytest.fixture(autouse=True)
def no_language_left_active():
    """A request activates its language in the thread and leaves it there (Django resets it at the next
    request, not after); a command run by the next test would speak it. Each test starts in English."""
    yield
    translation.deactivate()


# What a person reads on a page: the text of each visible element, a page's title, the options of its
# lists, and what a screen reader or a tooltip says (labels, placeholders, titles, button values).
_VISIBLE_TEXTS = """() => {
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent.closest("script, style, template, noscript")) continue;
    const shown = parent.closest("option") || parent.checkVisibility({ visibilityProperty: true });
    if (shown) texts.push(node.data);
  }
  const described = "[aria-label], [placeholder], [title], input[type=submit][value]";
  for (const el of document.querySelectorAll(described)) {
    texts.push(...["aria-label", "placeholder", "title", "value"].map((name) => el.getAttribute(name) || ""));
  }
  return texts;
}"""

# Words of English that none of French, German, Italian or Spanish writes: one of them in a sentence
# is English left, even where the sentence mixes it with translated words.
ENGLISH_WORDS = frozenset(
    (
        *("the", "and", "of", "to", "by", "from", "with", "for", "it", "its", "is", "are", "were", "be"),
        *("been", "have", "can", "cannot", "could", "should", "would", "you", "your", "they", "their"),
        *("them", "this", "that", "these", "those", "when", "which", "who", "what", "there"),
    )
)
# Words the same in English and in the language, which a translation rightly keeps.
SHARED_WORDS = {
    "fr": {"Type", "Version"},
    "de": {"Details", "Name", "Status", "Teams", "Version"},
    "it": {"Account"},
    "es": set(),
}


def visible_texts(page: Page) -> list[str]:
    """The texts a person reads or hears on the page, each once, blanks squeezed."""
    return segments(page.evaluate(_VISIBLE_TEXTS))


def segments(texts: Iterable[str]) -> list[str]:
    """`texts` split into lines, blanks squeezed, empty ones dropped, each once in order."""
    lines = (re.sub(r"\s+", " ", line).strip() for text in texts for line in text.splitlines())
    return list(dict.fromkeys(line for line in lines if line))


def english_left(
    texts: Iterable[str], english: Iterable[str], *, language: str, allowed: Iterable[str] = ()
) -> list[str]:
    """The texts shown in `language` that are still English: a text the English rendering of the same
    page or email (`english`) shows word for word, or one with an English-only word in it. Names
    (`allowed`: people, Organizations, products, brands), email addresses, links, numbers and dates,
    and the words both languages share, are not English left."""
    same = set(english)
    names = sorted(set(allowed) | {"Handover"}, key=len, reverse=True)
    left = []
    for text in texts:
        rest = text
        for name in names:
            rest = rest.replace(name, " ")
        rest = re.sub(r"\S+@\S+|\w+://\S+|\d\S*", " ", rest)
        words = [word for word in re.findall(r"[^\W\d_]{2,}", rest) if word not in SHARED_WORDS[language]]
        if (text in same and words) or ENGLISH_WORDS.intersection(word.lower() for word in words):
            left.append(text)
    return left
