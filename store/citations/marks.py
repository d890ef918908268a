"""The typographic marks citations print: curly quotation marks, apostrophe, em dash."""

OPEN_QUOTE, CLOSE_QUOTE = "\u201c", "\u201d"
OPEN_INNER, CLOSE_INNER = "\u2018", "\u2019"
APOSTROPHE = "\u2019"
EM_DASH = "\u2014"
