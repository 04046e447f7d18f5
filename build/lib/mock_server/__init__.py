"""mock_server: an offline sandbox of five Indonesian partner APIs."""

__version__ = "0.1.0"
