"""Một Cửa Counter core: everything that is not Qt.

Nothing under this package may import PySide6 (tests/unit/test_layering.py checks it).
"""

__version__ = "0.1.0"
