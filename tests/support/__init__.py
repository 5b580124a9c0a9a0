"""What the tests share: factories, fixtures and helpers, in modules named for what they hold.

The modules that define fixtures or hooks are loaded once, as plugins, by `pytest_plugins` in
tests/conftest.py; test modules import helpers from here, never from one another.
"""
