"""Take headless-Chromium screenshots of portal pages: `python scripts/screenshot.py URL OUT.png`.

Optional: --login USER:PASSWORD logs in first; --mobile uses a phone-sized viewport.
"""

import argparse
from urllib.parse import urljoin

from playwright.sync_api import sync_playwright

from zhengai.browser import launch_chromium


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--login")
    parser.add_argument("--mobile", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = launch_chromium(p)
        viewport = {"width": 390, "height": 844} if args.mobile else {"width": 1280, "height": 900}
        page = browser.new_page(viewport=viewport)
        if args.login:
            username, password = args.login.split(":", 1)
            page.goto(urljoin(args.url, "/accounts/login/"))
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
        page.goto(args.url)
        page.screenshot(path=args.out, full_page=args.full)
        browser.close()


if __name__ == "__main__":
    main()
