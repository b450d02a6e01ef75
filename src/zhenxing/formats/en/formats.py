# Day, month, year, as English-language Chinese documents write dates.
DATE_FORMAT = "j M Y"  # 5 Sep 2026
DATETIME_FORMAT = "j M Y H:i"  # 5 Sep 2026 20:45
MONTH_DAY_FORMAT = "j M"  # 5 Sep
YEAR_MONTH_FORMAT = "M Y"  # Sep 2026
