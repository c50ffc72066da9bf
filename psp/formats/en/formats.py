"""English (United States) date formats. Letters as in Django's ``date`` filter."""

# A date: Dec 1, 2026
DATE_FORMAT = "M j, Y"
# A date with its time: Dec 1, 2026, 1:20 PM
DATETIME_FORMAT = "M j, Y, g:i A"
# A time of day: 1:20 PM
TIME_FORMAT = "g:i A"
# A day named with its weekday, for headings and agendas: Wednesday, December 2, 2026
DAY_FORMAT = "l, F j, Y"
# A month: December 2026
YEAR_MONTH_FORMAT = "F Y"
# A month alone, its year said elsewhere (a chart's axis): December; shortened: Dec
MONTH_NAME_FORMAT = "F"
MONTH_ABBR_FORMAT = "M"
# A day and month with no year: December 2
MONTH_DAY_FORMAT = "F j"

# Django's short formats are the same kinds, so nothing falls back to another style.
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

# Dates are typed in United States order, month first (psp.dates.TYPED_DATE_FORMATS).
DATE_INPUT_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]
FIRST_DAY_OF_WEEK = 0  # Sunday
