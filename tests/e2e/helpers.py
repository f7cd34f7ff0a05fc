"""What browser journeys share: a script that records CSP violations, and Django work off Playwright's thread."""

from __future__ import annotations

import threading

from django.db import connection

# Add with page.add_init_script; read window.__csp after the journey: every violation the page met.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile);
});
"""


def off_this_thread(function, *args, **kwargs):
    """Run Django work off this thread: Playwright's event loop runs here (see tests/e2e/conftest.py)."""
    result = {}

    def work():
        try:
            result["value"] = function(*args, **kwargs)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    return result.get("value")
