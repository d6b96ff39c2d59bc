import pathlib

import pytest

SCREENSHOTS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under docs/screenshots/, where the guide and README use it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> pathlib.Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "de-DE", "viewport": {"width": 1366, "height": 900}}
