"""The provider's name: its flags, environment variables and tables say so. A module of its own
so that the command-line hook and the provider's declaration import it without the settings."""

NAME = "sales_order"
