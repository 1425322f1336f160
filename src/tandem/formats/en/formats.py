"""English dates that read the same in London and New York: "4 Dec 2026", never "12/04/2026".

Forms use the browser's date picker (ISO dates), so only the displayed formats change here.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
