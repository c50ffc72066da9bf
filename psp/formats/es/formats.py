"""Spanish date formats, as read in the United States. Letters as in Django's ``date`` filter."""

# A date: 1 dic 2026
DATE_FORMAT = "j b Y"
# A date with its time: 1 dic 2026, 13:20
DATETIME_FORMAT = "j b Y, H:i"
# A time of day: 13:20
TIME_FORMAT = "H:i"
# A day named with its weekday: miércoles, 2 de diciembre de 2026
DAY_FORMAT = r"l, j \d\e F \d\e Y"
# A month: diciembre de 2026
YEAR_MONTH_FORMAT = r"F \d\e Y"
# A month alone, its year said elsewhere (a chart's axis): diciembre; shortened: dic
MONTH_NAME_FORMAT = "F"
MONTH_ABBR_FORMAT = "b"
# A day and month with no year: 2 de diciembre
MONTH_DAY_FORMAT = r"j \d\e F"

SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

# Forms in the United States are filled in month first, whatever their language (a
# Spanish-speaking parent's papers from the county read 03/27/2019): typed dates keep the
# English order, so 03/04/2019 is March 4 in both languages.
DATE_INPUT_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]
FIRST_DAY_OF_WEEK = 0  # Sunday, as calendars in the United States

# Numbers as Spanish is written in the United States (CLDR's es_US, as reporting/numbers.py
# writes them): 1,234.5, not Spain's 1.234,5.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
