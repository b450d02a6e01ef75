"""Zhenxing (振兴): Party building leads rural revitalisation, for a county and its villages."""

__version__ = "0.1.0"
