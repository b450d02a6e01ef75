# Django's own zh_Hans formats, but the month without a leading zero as a Chinese office writes it.
MONTH_DAY_FORMAT = "n月j日"  # 9月5日
