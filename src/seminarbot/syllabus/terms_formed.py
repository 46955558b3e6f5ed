"""Common-noun terms of art, found by how terms are formed rather than from a list of terms.

Terminology studies find technical terms mostly among words built by a few patterns and among
noun phrases a text repeats (J. S. Justeson and S. M. Katz, "Technical terminology: some
linguistic properties and an algorithm for identification in text", *Natural Language
Engineering* 1, 1995; J. C. Sager, *A Practical Course in Terminology Processing*, 1990). The
terms pass applies three such rules to the texts' lowercase words:

- ``formed`` by a suffix that makes the names of doctrines (-ism), their adherents (-ist),
  processes (-ization), forms of rule (-cracy, -archy) and classes (-ariat, -entsia); -ist and
  -ism need a stem of three letters or more not ending in s (so "exist" and "assist", verbs,
  are not adherents);
- ``formed`` as a compound: a hyphenated word (class-conscious, one-man, trade-union) or a
  plural possessive before a noun (citizens’ militia, soldiers’ committees);
- ``phrase``: two content words in a row that the texts use at least twice (party apparatus,
  trade unions, double subordination), counting singular and plural as one. Content words are
  those outside the closed classes of English function words (below), and not adverbs in -ly or
  participles in -ed or -ing (a term is a noun phrase).

- ``formed`` also: the items of an enumeration of examples in parentheses, two or more
  lowercase items separated by commas, as in “(enclosures, industrial production, …)”; each
  item of one to three words without a function word is a candidate. Exemplification is one of
  the knowledge-rich contexts in which a text names members of a class of its terms (I. Meyer,
  "Extracting knowledge-rich contexts for terminography", in D. Bourigault et al. (eds),
  *Recent Advances in Computational Terminology*, 2001): this is how single common nouns that
  are terms of art (enclosure) are found;
- ``formed`` also: an adjective in -al, -ic or -ive before a word in -ing is a gerund noun
  phrase, the name of a practice (central planning, democratic planning), not a participle.

What no rule can tell from ordinary English, a single common word used as a term (the
apparatus, the masses) or a phrase used once, stays in the terms pass's LEXICON of terms read
in the texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

# Closed classes: articles, pronouns, prepositions, conjunctions, auxiliaries, quantifiers and
# the commonest adverbs. A phrase holding one of these is prose, not a term.
_CLOSED_CLASSES = """
a about above across after again against all almost also although always am among an and any
are around as at be because been before being below between both but by can cannot could did do
does doing down during each either else even ever every few for from further had has have
having he her here hers herself him himself his how however i if in into is it its itself just
least less many may me might more most much must my neither never no nor not now of off often
on once one only onto or other others otherwise our ours out over own per perhaps quite rather
same several she should since so some still such than that the their theirs them themselves then
there therefore these they this those though through thus to too towards under unless until up
upon us very via was we well were along what whatever when where whether which while who whom whose
why will with within without would yet you your
"""
FUNCTION_WORDS = frozenset(_CLOSED_CLASSES.split())
_SUFFIX = re.compile(r"^([a-z\-]{2,}?)(ism|ists?|i[sz]ations?|cracy|archy|ariat|entsia)$")
_POSSESSIVE = re.compile(r"\b([a-z]{3,}s)[’'] ([a-z][a-z\-]{2,})\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z’'\-]*")
_LIST = re.compile(r"\(([a-z][a-z ,\-]*?)(?:,? etc\.?)?\)")
_GERUND = re.compile(r"\b([a-z]{3,}(?:al|ic|ive)) ([a-z]{3,}ing)\b")


def formed(paragraph: str) -> Iterator[str]:
    """Words formed by a term-making suffix, hyphenated compounds and possessive compounds."""
    for token in _WORD.findall(paragraph):
        word = token.strip("’'-")
        if not word.islower():
            continue
        if "-" in word and all(len(part) > 1 for part in word.split("-")):
            if not word.endswith("ed"):  # class-based, well-founded: adjectives
                yield word
        elif _suffixed(word):
            yield word
    for match in _POSSESSIVE.finditer(_without_quotations(paragraph)):
        if match.group(2) not in FUNCTION_WORDS:
            yield f"{match.group(1)}’ {match.group(2)}"


def _suffixed(word: str) -> bool:
    match = _SUFFIX.match(word)
    if match is None:
        return False
    stem, suffix = match.groups()
    # -ist and -ism after a stem ending in s make verbs (assist, insist, persist), not names.
    return not suffix.startswith("is") or (len(stem) >= 3 and not stem.endswith("s"))


def _without_quotations(paragraph: str) -> str:
    """The paragraph with each ‘…’ quotation's closing mark made a space, so that only a real
    possessive’s apostrophe is left after an s."""
    out = []
    depth = 0
    for index, char in enumerate(paragraph):
        if char == "‘":
            depth += 1
        elif char == "’" and depth and not paragraph[index + 1 : index + 2].isalpha():
            depth -= 1
            char = " "
        out.append(char)
    return "".join(out)


def listed(paragraph: str) -> Iterator[str]:
    """The items of enumerations of examples in parentheses (see above)."""
    for match in _LIST.finditer(paragraph):
        items = [" ".join(i.split()) for i in match.group(1).split(",")]
        if len(items) >= 2:
            yield from (i for i in items if 1 <= len(i.split()) <= 3 and not any(
                w in FUNCTION_WORDS for w in i.split()))


def gerunds(paragraph: str) -> Iterator[str]:
    """Adjective + gerund noun phrases (central planning)."""
    for match in _GERUND.finditer(paragraph):
        if match.group(2) not in FUNCTION_WORDS:
            yield f"{match.group(1)} {match.group(2)}"


def pairs(paragraph: str) -> Iterator[str]:
    """Every two content words in a row within a clause (quotation marks dropped)."""
    for clause in re.split(r"[.,;:!?()“”\"—–]", paragraph.replace("‘", " ")):
        words = [w.strip("’'") for w in _WORD.findall(clause)]
        for first, second in pairwise(words):
            if _content(first) and _content(second):
                yield f"{first} {second}"


def _content(word: str) -> bool:
    """A word that can stand in a noun phrase: not a function word, an adverb in -ly or a
    participle in -ed or -ing (leadership responded, motivating workers)."""
    return word.islower() and len(word) > 2 and word not in FUNCTION_WORDS and \
        not re.search(r"(?:ly|ed|ing)$", word) and "’" not in word and "'" not in word
