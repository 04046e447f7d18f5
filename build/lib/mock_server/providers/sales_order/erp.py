"""The Sales Order backend: the vendor's ERP as the partner API sees it.

Plain objects over the database, no HTTP: the partners (clients, public keys, tokens), the master
data and the order book. ``routes.py``, ``auth.py`` and ``admin.py`` are thin faces over them, and
a test can call them directly.
"""

from mock_server.core.provider import ProviderContext
from mock_server.providers.sales_order.orders import MasterData, OrderBook
from mock_server.providers.sales_order.partners import Partners


class Erp:
    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        self.partners = Partners(ctx)
        self.master_data = MasterData(ctx)
        self.orders = OrderBook(ctx, self.master_data)
