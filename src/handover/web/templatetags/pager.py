"""The page numbers of a pager: the first and last, and two on each side of the current one."""

from typing import Any

from django import template
from django.core.paginator import Page

register = template.Library()


@register.simple_tag
def page_numbers(page: Page) -> list[Any]:
    """The numbers to link, with Paginator.ELLIPSIS where some are left out: a pager of ten links at
    most, whatever the number of pages."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
