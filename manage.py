#!/usr/bin/env python
"""Django's command-line utility; the installed ``zhenxing`` script does the same."""

from zhenxing.cli import main

if __name__ == "__main__":
    main()
