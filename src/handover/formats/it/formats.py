# Italian writes dates without the weekday and in lower case ("2 marzo 2026", not "Lunedì 02 Marzo
# 2026"); the month names come in lower case from locale_overrides/it.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
