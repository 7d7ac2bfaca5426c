"""Upstream API clients, one module per API, over one transport (_http), and their catalog."""
