# How dates are written on the French pages: "30 novembre 2026".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i T"
DECIMAL_SEPARATOR = ","
