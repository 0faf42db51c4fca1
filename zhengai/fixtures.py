"""Where the seed data lives (R22: no personal contact details in any of it)."""

from django.conf import settings

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
INDICATOR_FILES = sorted((FIXTURES_DIR / "indicators").glob("*.json"))
SCHOOLS_FILE = FIXTURES_DIR / "schools.json"
POLICY_TEXT_FILE = FIXTURES_DIR / "policy" / "fujian-zhengai-plan-revised.txt"
