"""Near matches for a mistyped word: the one rule behind every "Did you mean …?" (commands and
subcommands, an option's values, prompt ids, time zones, glossary terms, the console's words).

difflib's ratio (twice the matching characters over both lengths) scores two swapped
neighbours low in a short word: (n - 1) / n for n characters, 0.67 for three, under the 0.75
cutoff that prompt ids and the console's words use. A swap is the commonest slip of the
fingers (Damerau, "A technique for computer detection and correction of spelling errors",
CACM 7(3), 1964), so from three characters an option one swap away always counts, and counts
first. In two a swap as often makes another word as a slip (`no` is not a mistyped `on`), so
none is offered there.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_SWAPPED = 3  # characters a word needs before a swap of two of them counts as a slip


def near(typed: str, options: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """Up to `n` of `options` close to `typed`, best first, each once: those one swap away
    (`swaps`), then difflib.get_close_matches's (ratio ≥ `cutoff`, 0 to 1, best first).
    Compares as given: callers pass folded words and options to ignore case."""
    import difflib  # only for a word that matched nothing: it costs memory at start-up

    pool = list(options)
    present = set(pool)
    swapped = [word for word in swaps(typed) if word in present]
    close = difflib.get_close_matches(typed, pool, n=n, cutoff=cutoff)
    return list(dict.fromkeys(swapped + close))[:n]


def swaps(typed: str) -> list[str]:
    """Every other word that swapping two neighbouring characters of `typed` makes, in the
    order of the first character swapped (`tmer` gives `mter`, `temr`, `tmre`); none for a
    word under MIN_SWAPPED characters."""
    if len(typed) < MIN_SWAPPED:
        return []
    made = (typed[:i] + typed[i + 1] + typed[i] + typed[i + 2:] for i in range(len(typed) - 1))
    return [word for word in dict.fromkeys(made) if word != typed]
