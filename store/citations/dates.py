"""Dates as each style prints them."""

from __future__ import annotations

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# The CSL en-US locale's short month names, which MLA uses.
MONTHS_SHORT = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.",
                "Oct.", "Nov.", "Dec.")


def date_chicago(parts: list[int] | None) -> str:
    """A date as Chicago prints it ("September 7, 2025"), "n.d." if unknown."""
    return date_long(parts) if parts else "n.d."


def date_long(parts: list[int]) -> str:
    """A known date in the en-US locale's long text form ("September 7, 2025", "September
    2025" or "2025"), as Chicago prints every date and APA the day a page was retrieved."""
    if len(parts) == 3:
        return f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def date_mla(parts: list[int] | None) -> str:
    """A date as MLA prints it ("7 Sept. 2025"), empty if unknown."""
    if not parts:
        return ""
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS_SHORT[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS_SHORT[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def date_apa(parts: list[int] | None) -> str:
    """A date as APA prints it ("(2025, September 7)"), "(n.d.)" if unknown."""
    if not parts:
        return "(n.d.)"
    if len(parts) == 3:
        return f"({parts[0]}, {MONTHS[parts[1] - 1]} {parts[2]})"
    if len(parts) == 2:
        return f"({parts[0]}, {MONTHS[parts[1] - 1]})"
    return f"({parts[0]})"
