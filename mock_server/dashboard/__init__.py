"""The dashboard: the control plane's face, served on its port at ``/`` and ``/__admin/ui``.

Server-rendered (Jinja2) with htmx and server-sent events, every asset inside the package
(``static/``, versions in ``static/VERSIONS``), so it works offline. It is one more router of the
control-plane app, behind the same guard and the same token rule as the rest of it, and drives
the sandbox through the admin protocol alone.
"""

from mock_server.dashboard.live import LiveFeed
from mock_server.dashboard.routes import build_dashboard, dashboard_owns

__all__ = ["LiveFeed", "build_dashboard", "dashboard_owns"]
