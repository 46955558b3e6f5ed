"""Whether an entry's names, or a person's identification, say that it is of Russian or Soviet
origin, whatever its `origin:` field says: the content check compares the two.

A word is romanized Russian by its form when it holds a letter group that the Library of Congress
table (ALA-LC Romanization Tables: Russian, as the texts write it, without diacritics) gives for
a Russian letter and that English words do not form: zh (ж), kh (х), shch (щ), ts opening a
word (ц: tsar) or before -ii (konstitutsiia), ii (ий: Trotskii), iu (ю, not Latin -ium), yv (ыв:
otryv), ’ or ' as the soft sign (ь: glasnost’, Il'ich; not an English possessive or
contraction). Or when it ends as Russian words do and English ones do not: the noun endings
-ie after st, l, n or sk, -stvo, -izm (-ие, -ство, -изм: dvoevlastie, marksizm), -ka after four
letters or more (chistka, kritika), the adjective endings -yi, -oi, -ye, -aia, -skie (-ый, -ой,
-ые, -ая, -ские), the verb ending -ovat’ and the patronymics -ovich, -evich, -ovna, -evna.
Also Russian: the loanwords of the field (terms.LOANWORDS) when one is the whole name, Soviet
syllabic abbreviations in -kom and -khoz (ispolkom, kolkhoz), and the initialisms of Soviet
institutions (SOVIET_INITIALISMS). Words formed as English words are (-ism, -ist, -ite, -ian:
Trotskyist, Stalinist) are not romanized, whatever their root. What this cannot see is a
romanized word spelt only with letter groups English shares (apparat, massy, kazaki): those
entries rely on their `origin`, their Cyrillic and the terms pass.

A person's identification says where they come from: a person the texts name is taken to be
Russian or Soviet (the texts are about the Soviet state) unless the identification opens its
account of them with a nationality from outside the Russian Empire and the Soviet Union, as a
historian introduces a foreigner (German philosopher, English philosopher).
"""

from __future__ import annotations

import re

from seminarbot.syllabus.terms import LOANWORDS

# Russian initialisms of Soviet institutions, as the field writes them in Latin letters.
SOVIET_INITIALISMS = frozenset({
    "cheka", "gosplan", "gpu", "kgb", "kpss", "nep", "nkvd", "ogpu", "rkp", "rsdlp", "rsdrp",
    "rsfsr", "sssr", "tsik", "vkp", "vsnkh", "vtsik", "vchk",
})
_FORM = re.compile(r"zh|kh|shch|^ts[aeiouy]|tsii|ii|iu(?!m)|yv|(?:st|l|n|sk)ie$|stvo$|ovat$|izm$"
                   r"|[oe]vich$|[oe]vna$|\wkom$|\wkhoz$|\w\w[yo]i$|\w\wye$|\w\waia$|^\w{4,}ka$")
# ’ or ' as the soft sign: at the end of a word (not after s: workers'), or inside one unless it
# begins an English ending ('s, 'd, 'm, 't, 'll, 're, 've).
_SOFT_SIGN = re.compile(r"[a-z][’'](?:$|(?!(?:s|d|m|t|ll|re|ve)$)[a-z]+$)")
_ENGLISH_FORMATION = re.compile(r"(?:ism|ist|ists|ization|isation|ite|ites|ian|ians)$")
# Nationalities outside the Russian Empire and the Soviet Union, and the words that place a
# person inside them; the first of either in an identification decides.
_FOREIGN = ("american|austrian|british|czech|dutch|english|french|german|irish|italian|polish"
            "|scottish|spanish|swiss")
_NATIONALITY = re.compile(r"\b(" + _FOREIGN + r"|russian|soviet|bolshevik|menshevik|tsarist)\b",
                          re.IGNORECASE)


def romanized_word(word: str, loanwords: bool = True) -> bool:
    """Whether one word (any case, perhaps with ’ or ' in it) is Russian by its form; a loanword
    of the field counts only when `loanwords` (the Bolshevik Left is not a Russian name)."""
    bare = re.sub(r"\(\w\)", "", word).strip("“”\"(),.;:?!").lower()
    if not bare.replace("’", "").replace("'", "").replace("-", "").isalpha() or \
            _ENGLISH_FORMATION.search(bare):
        return False
    plain = bare.strip("’'")
    loanword = any(plain in (w, w + "s", w + "y", w + "i") for w in LOANWORDS)
    if plain in SOVIET_INITIALISMS or (loanwords and loanword):
        return True
    return (_SOFT_SIGN.search(bare) is not None and not re.search(r"s[’']$", bare)) or \
        any(_FORM.search(part) for part in re.split(r"[-’']", bare) if part)


def romanized_name(name: str) -> str | None:
    """The first word of a name that is Russian by its form, or None; a loanword of the field
    makes a name Russian only when it is the whole name."""
    words = re.split(r"[\s\-/–]+", name.strip())
    return next((w for w in words if romanized_word(w, loanwords=len(words) == 1)), None)


def russian_by_identification(identification: str) -> bool:
    """Whether a person's identification places them in Russia or the Soviet Union (see above)."""
    first = _NATIONALITY.search(identification)
    return first is None or not re.fullmatch(_FOREIGN, first.group(1).lower())
