"""Near matches for a mistyped word: the one rule behind every "Did you mean …?" (commands and
subcommands, an option's values, prompt ids, time zones, glossary terms, the console's words).

difflib's ratio (twice the matching characters over both lengths) scores two swapped
neighbours low in a short word: (n - 1) / n for n characters, 0.67 for three, under the 0.75
cutoff that prompt ids and the console's words use. A swap is the commonest slip of the
fingers (Damerau, "A technique for computer detection and correction of spelling errors",
CACM 7(3), 1964), so from three characters an option one swap away always counts, and counts
first. In two a swap as often makes another word as a slip (`no` is not a mistyped `on`, nor
`BG` a mistyped `GB`), so none is offered there, even where difflib's ratio (0.5) would.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_SWAPPED = 3  # characters a word needs before a swap of two of them counts as a slip


def near(typed: str, options: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """Up to `n` of `options` close to `typed`, best first, each once: those one swap away
    (`one_swap`), then difflib.get_close_matches's (ratio ≥ `cutoff`, 0 to 1, best first),
    never a two-character swap. Compares as given: callers pass folded words and options to
    ignore case. Time grows with the lengths of `typed` and the options, memory does not."""
    import difflib  # only for a word that matched nothing: it costs memory at start-up

    pool = list(dict.fromkeys(options))
    swapped = [option for option in pool if one_swap(typed, option)]
    close = [option for option in difflib.get_close_matches(typed, pool, n=n, cutoff=cutoff)
             if not _swapped_pair(typed, option)]
    return list(dict.fromkeys(swapped + close))[:n]


def one_swap(typed: str, option: str) -> bool:
    """Whether `option` is `typed` with two neighbouring characters swapped, `typed` having at
    least MIN_SWAPPED characters: `tmer` and `term`, not `no` and `on`."""
    return len(typed) >= MIN_SWAPPED and _swapped(typed, option)


def _swapped_pair(typed: str, option: str) -> bool:
    return len(typed) < MIN_SWAPPED and _swapped(typed, option)


def _swapped(typed: str, option: str) -> bool:
    if len(typed) != len(option):
        return False
    apart = []
    for at, (mine, theirs) in enumerate(zip(typed, option, strict=True)):
        if mine != theirs:
            apart.append(at)
            if len(apart) > 2:
                return False
    return (len(apart) == 2 and apart[1] == apart[0] + 1
            and typed[apart[0]] == option[apart[1]] and typed[apart[1]] == option[apart[0]])
