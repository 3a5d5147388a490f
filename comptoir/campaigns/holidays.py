"""France's public holidays: the fixed ones and those that follow Easter."""

from datetime import date, timedelta


def easter(year: int) -> date:
    """Easter Sunday of `year` (Gregorian calendar), by the anonymous Gregorian algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def french_holidays(year: int) -> list[tuple[date, str]]:
    """The eleven public holidays of France (metropolitan, without Alsace-Moselle's), by date."""
    sunday = easter(year)
    days = [
        (date(year, 1, 1), "Jour de l'an"),
        (sunday + timedelta(days=1), "Lundi de Pâques"),
        (date(year, 5, 1), "1er mai"),
        (date(year, 5, 8), "8 mai"),
        (sunday + timedelta(days=39), "Ascension"),
        (sunday + timedelta(days=50), "Lundi de Pentecôte"),
        (date(year, 7, 14), "14 juillet"),
        (date(year, 8, 15), "15 août"),
        (date(year, 11, 1), "Toussaint"),
        (date(year, 11, 11), "11 novembre"),
        (date(year, 12, 25), "Noël"),
    ]
    return sorted(days)
