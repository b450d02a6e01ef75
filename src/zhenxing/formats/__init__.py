"""Date formats per language (FORMAT_MODULE_PATH): templates name them (``|date:"DATE_FORMAT"``)
so that a date reads 2026年11月30日 in Chinese and 30 Nov 2026 in English."""
