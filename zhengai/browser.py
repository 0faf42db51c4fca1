"""Launch Debian's Chromium through Playwright, for browser tests and page screenshots.

Playwright cannot download its own browser here; these flags keep Chromium from reaching
for the network at start-up (background services, component updates, QUIC).
"""

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright):
    """Start headless Chromium from the system package."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
