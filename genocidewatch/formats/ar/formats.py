# How dates are written on the Arabic pages: "30 نوفمبر 2026", with the digits most
# Arabic news sites use (Western Arabic numerals), the month named in Arabic; numbers
# keep Django's Arabic separators.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i T"
