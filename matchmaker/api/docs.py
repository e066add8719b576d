"""The API documentation page, /api/v1/docs: Swagger UI served from the product (works offline)."""
from flask import Blueprint, Response, current_app, url_for
from markupsafe import escape

bp = Blueprint("api_docs", __name__)
blp = bp  # registered by matchmaker.api.register_api as a plain Flask blueprint
URL_PREFIX = "/docs"

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui" data-spec-url="{spec}"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


@bp.get("")
def docs_page():
    """The Swagger UI page for the OpenAPI document (no inline script; init in static/js/api-docs.js)."""
    html = _PAGE.format(
        title=escape(current_app.config.get("API_TITLE", "API")),
        css=url_for("static", filename="vendor/swagger-ui/swagger-ui.css"),
        bundle=url_for("static", filename="vendor/swagger-ui/swagger-ui-bundle.js"),
        init=url_for("static", filename="js/api-docs.js"),
        spec=url_for("api-docs.openapi_json"),
    )
    return Response(html, mimetype="text/html")
