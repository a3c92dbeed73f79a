"""Builds the name and English-word lexicon that the learned PERSON model reads.

Run with the training environment (``training/requirements.lock``: names-dataset, wordfreq):

    python -m training.pii.build_lexicon --out src/pledge/pii/model/lexicon.tsv.gz

Why a lexicon at all: a name without a cue ("sure, Oluwaseun Adeyemi") is recognisable
only by knowing that its words are names in some country and are not common English words.
The lexicon stores buckets, not counts, so the file stays small and the model cannot key on
exact frequencies.  Both sources are read here, at build time; nothing is downloaded and
neither package is needed at run time.
"""

from __future__ import annotations

import argparse
import gzip
import unicodedata
from collections.abc import Iterable
from pathlib import Path

FIRST_PER_COUNTRY = 3000  # per gender
LAST_PER_COUNTRY = 3000
ENGLISH_WORDS = 40000


def plain(word: str) -> str:
    """Lower case without accents ("José" -> "jose"), as the detector normalises tokens."""
    low = word.lower().replace("’", "'")
    if low.isascii():
        return low
    return "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))


def _tokens(names: Iterable[str]) -> Iterable[tuple[int, str]]:
    for rank, name in enumerate(names, start=1):
        for part in name.split():
            token = plain(part)
            if token.isascii() and token.replace("'", "").replace("-", "").isalpha():
                yield rank, token


def _bucket(rank: int) -> int:
    return 3 if rank <= 100 else 2 if rank <= 1000 else 1


def name_ranks(first: bool) -> dict[str, int]:
    """Best rank of each name token in any country's list (first or last names)."""
    from names_dataset import NameDataset  # type: ignore[import-not-found]

    data = NameDataset()
    best: dict[str, int] = {}
    limit = FIRST_PER_COUNTRY if first else LAST_PER_COUNTRY
    for country in sorted(data.get_country_codes(alpha_2=True)):
        top = data.get_top_names(n=limit, use_first_names=first, country_alpha2=country)
        for by_gender in top.values():
            lists = by_gender.values() if isinstance(by_gender, dict) else [by_gender]
            for names in lists:
                for rank, token in _tokens(names):
                    best[token] = min(best.get(token, rank), rank)
    return best


def english_buckets() -> dict[str, int]:
    """Zipf frequency bucket (1-4) of the most common English words."""
    import wordfreq  # type: ignore[import-not-found]

    out: dict[str, int] = {}
    for word in wordfreq.top_n_list("en", ENGLISH_WORDS):
        token = plain(word)
        if not token.replace("'", "").isalpha():
            continue
        zipf = wordfreq.zipf_frequency(word, "en")
        out.setdefault(token, 4 if zipf >= 6 else 3 if zipf >= 5 else 2 if zipf >= 4 else 1)
    return out


def build(out: Path) -> int:
    first, last, english = name_ranks(True), name_ranks(False), english_buckets()
    groups: dict[str, list[str]] = {}
    tokens = sorted(set(first) | set(last) | set(english))
    for token in tokens:
        f = _bucket(first[token]) if token in first else 0
        s = _bucket(last[token]) if token in last else 0
        groups.setdefault(f"{f}{s}{english.get(token, 0)}", []).append(token)
    # One line per bucket triple ("flags<TAB>word word ..."): loading is then a few
    # dict.fromkeys calls, three times faster than a line per word.
    rows = [f"{flags}\t{' '.join(words)}\n" for flags, words in sorted(groups.items())]
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(out, "wb", mtime=0) as fh:  # mtime=0: the same input, the same bytes
        fh.write("".join(rows).encode())
    return len(tokens)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("src/pledge/pii/model/lexicon.tsv.gz"))
    args = parser.parse_args()
    print(f"{build(args.out)} tokens -> {args.out}")


if __name__ == "__main__":
    main()
