"""Moving through a page with the keyboard alone, as a person without a mouse does: Tab (or another key)
until an element has the focus, and the focus ring visible on it."""

from playwright.sync_api import Locator, Page

# What a person sees of the focused element: whether the browser shows the focus ring (:focus-visible),
# the ring the stylesheet draws, and where the element is on the screen.
_FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    element: el.outerHTML.slice(0, 120),
    focusVisible: el.matches(":focus-visible"),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && box.left < window.innerWidth && box.top < window.innerHeight,
  };
}"""


def focused(page: Page) -> dict:
    """The focused element (its start) and how its focus shows."""
    return page.evaluate(_FOCUSED)


def assert_focus_visible(page: Page) -> None:
    """The focused element is on the screen, with a focus ring of at least 2 px."""
    now = focused(page)
    assert now["focusVisible"] and now["onScreen"], now
    assert now["outlineStyle"] != "none" and now["outlineWidth"] >= 2, now


def press_until_focused(page: Page, target: Locator, *, key: str = "Tab", limit: int = 80) -> None:
    """Press `key` until `target` has the focus (at most `limit` times), then check that it shows."""
    target.wait_for(state="attached")
    trail = []
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            assert_focus_visible(page)
            return
        page.keyboard.press(key)
        trail.append(focused(page)["element"])
    raise AssertionError(
        f"{key} x{limit} never reached {target}; the focus went through:\n" + "\n".join(trail)
    )


def activate(page: Page, target: Locator, *, key: str = "Enter") -> None:
    """Tab to `target` and press `key` on it (Enter for links and buttons, Space for checkboxes)."""
    press_until_focused(page, target)
    page.keyboard.press(key)
