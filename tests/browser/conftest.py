"""The browser fixtures of test_site.py (the server on 127.0.0.1, Chromium, ``open_page`` with
its offline traffic check), shared with test_answers.py and test_equations.py."""

from tests.browser.test_site import browser, open_page, site  # noqa: F401
