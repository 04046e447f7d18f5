"""One folder per emulated provider; each is registered in ``mock_server.registry``."""
