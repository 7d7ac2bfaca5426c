"""Numerical building blocks the Python models import (not models themselves)."""
