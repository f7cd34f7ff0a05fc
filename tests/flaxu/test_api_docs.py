"""/api/docs/ works offline: Swagger UI comes from the pinned npm package on this origin, no inline code."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders


def _references(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_docs_page_loads_only_same_origin_files_that_exist(client, db):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    refs = _references(html)
    assert any("swagger-ui-bundle.js" in ref for ref in refs)
    for ref in refs:
        parts = urlsplit(ref)
        assert not parts.scheme and not parts.netloc and ref.startswith("/"), f"{ref} is not on this origin"
        if parts.path.startswith(settings.STATIC_URL):
            assert finders.find(parts.path.removeprefix(settings.STATIC_URL)), f"{ref} does not resolve"
        else:
            assert client.get(ref).status_code == 200, ref


def test_docs_page_has_no_inline_script_or_style(client, db):
    html = client.get("/api/docs/").content.decode()
    assert "<style" not in html and " style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    script_url = next(ref for ref in _references(html) if "script" in urlsplit(ref).query)
    script = client.get(script_url)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_swagger_ui_is_pinned_in_package_json():
    version = json.loads((Path(settings.BASE_DIR) / "package.json").read_text())["dependencies"]["swagger-ui-dist"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    installed = finders.find("vendor/swagger-ui-dist/package.json")
    assert installed and json.loads(Path(installed).read_text())["version"] == version
