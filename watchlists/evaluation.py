"""The matching evaluation on official lists (issue 11): every alias must find its entry.

The evaluation set (``tests/watchlists/data/eval/official_names.jsonl``, its sources in the
README beside it) holds the parties of the OFAC SDN sample and the UN consolidated sample:
each with its primary name, its aliases (strong and weak, as the publisher marks them) and
its type. ``run`` imports the primary names only, through the real import path, then:

* **positives**: each alias is searched; it must find its own entry at or above the
  threshold. Each (alias, primary name) pair is put in one failure class
  (``classify``), so that recall can be read by what makes the two names differ.
* **negatives**: each primary name is searched; a hit on another entry at or above the
  threshold is a false hit, unless that entry is a namesake (the same normalised key).

Precision is over all hits of both kinds of query: a hit is right when it is the query's
own entry or a namesake of it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from watchlists.enums import EntityType, SourceFormat
from watchlists.matching import search
from watchlists.normalise import fold, name_parts, normalise

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "watchlists" / "data" / "eval" / "official_names.jsonl"
SOURCE_NAME = "matching evaluation"

# In the order they are tested: the first that applies names the pair's class.
CLASSES = (
    "same after folding",  # case, accents, punctuation, width, word order
    "legal form or title",  # equal once legal forms and titles are set aside
    "script",  # one of the names is not in Latin letters
    "name parts",  # the parts of one are among the other's (patronymic, second surname, particles)
    "numbers",  # differ in a number only
    "spelling",  # share a part, differ in spelling (transliteration variants, typos)
    "different name",  # no part in common: a former name, a nickname, a translation
)


@dataclass(frozen=True)
class Party:
    external_id: str
    name: str
    aliases: tuple[str, ...]
    entity_type: str
    source: str


def load(path: Path | str = DEFAULT_SET) -> list[Party]:
    parties = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            data = json.loads(line)
            parties.append(Party(data["id"], data["name"], tuple(data["aliases"]), data["type"], data["source"]))
    return parties


def build(lists_folder: Path | str, out: Path | str = DEFAULT_SET) -> int:
    """Write the evaluation set from the official samples (OFAC SDN.CSV + ALT.CSV, UN XML)."""
    from watchlists.formats import Counter, open_inputs, read_rows

    folder = Path(lists_folder)
    count = 0
    with open(out, "w", encoding="utf-8") as target:
        for source, file_format, files in (
            ("OFAC", SourceFormat.OFAC, [folder / "sdn.csv", folder / "alt.csv"]),
            ("UN", SourceFormat.UN, [folder / "UN_consolidated.xml"]),
        ):
            with open_inputs([str(f) for f in files]) as (members, _size):
                for batch in read_rows(file_format, members, Counter()):
                    for row in batch:
                        aliases = [a for a in (*row.aliases, *row.weak_aliases) if a and a != row.name]
                        if not aliases:
                            continue
                        target.write(json.dumps({
                            "id": f"{source}-{row.external_id}", "name": row.name,
                            "aliases": list(dict.fromkeys(aliases)), "type": row.entity_type, "source": source,
                        }, ensure_ascii=False) + "\n")
                        count += 1
    return count


def classify(alias: str, name: str) -> str:
    if " ".join(sorted(fold(alias).split())) == " ".join(sorted(fold(name).split())):
        return "same after folding"
    a, b = normalise(alias), normalise(name)
    if a.key == b.key:
        return "legal form or title"
    if not (alias.isascii() and name.isascii()) and not (_latin(alias) and _latin(name)):
        return "script"
    parts_a, parts_b = set(name_parts(a.key)), set(name_parts(b.key))
    if parts_a and parts_b and (parts_a <= parts_b or parts_b <= parts_a):
        return "name parts"
    digits_a = [w for w in parts_a if any(c.isdigit() for c in w)]
    if digits_a and {w for w in parts_a if w not in digits_a} == {w for w in parts_b if not any(c.isdigit() for c in w)}:
        return "numbers"
    if parts_a & parts_b:
        return "spelling"
    return "different name"


def _latin(text: str) -> bool:
    import unicodedata

    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text)


def import_primary_names(parties: Iterable[Party]) -> None:
    from watchlists.services import watchlist_import

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "aliases", "country", "program", "entity_type"])
    for party in parties:
        writer.writerow([party.external_id, party.name, "", "", party.source,
                         party.entity_type or EntityType.COMPANY])
    watchlist_import(file=io.BytesIO(out.getvalue().encode()), source_name=SOURCE_NAME,
                     file_format=SourceFormat.CSV, workers=0)


def run(parties: list[Party], *, thresholds: Iterable[float], do_import: bool = True) -> dict:
    """Recall by class and precision at each threshold (see the module docstring)."""
    thresholds = sorted(set(thresholds))
    lowest = thresholds[0]
    if do_import:
        import_primary_names(parties)
    keys = defaultdict(set)  # normalised key -> external ids listed under it (namesakes)
    key_of = {}
    for party in parties:
        key = normalise(party.name).key
        keys[key].add(party.external_id)
        key_of[party.external_id] = key

    def right(target: str, external_id: str) -> bool:
        # The target, or an entry listed under the same normalised name: a namesake, or the
        # same party on the other list (OFAC and UN list many of the same people).
        return external_id == target or external_id in keys[key_of[target]]

    positives = []  # (class, target, [(external id, score)])
    negatives = []  # (target, [(external id, score)])
    for party in parties:
        for alias in party.aliases:
            found = [(m.external_id, m.score) for m in search(alias, limit=20, threshold=lowest)]
            positives.append((classify(alias, party.name), party.external_id, found))
        found = [(m.external_id, m.score) for m in search(party.name, limit=20, threshold=lowest)]
        negatives.append((party.external_id, found))
    figures = {"parties": len(parties), "alias_queries": len(positives), "name_queries": len(negatives)}
    for level in thresholds:
        by_class: dict[str, list[bool]] = defaultdict(list)
        hits = right_hits = flagged = 0
        for kind, target, found in positives:
            above = [external_id for external_id, score in found if score >= level]
            by_class[kind].append(target in above)
            hits += len(above)
            right_hits += sum(right(target, external_id) for external_id in above)
        for target, found in negatives:
            wrong = [e for e, score in found if score >= level and not right(target, e)]
            flagged += bool(wrong)
            hits += sum(score >= level for _e, score in found)
            right_hits += sum(score >= level and right(target, e) for e, score in found)
        matchable = [ok for kind, values in by_class.items() if kind != "different name" for ok in values]
        everything = [ok for values in by_class.values() for ok in values]
        figures[f"at_{level:g}"] = {
            "recall_matchable": round(sum(matchable) / len(matchable), 4) if matchable else 0.0,
            "recall_all": round(sum(everything) / len(everything), 4) if everything else 0.0,
            "hit_precision": round(right_hits / hits, 4) if hits else 1.0,
            "names_flagging_another_entry": flagged,
            "by_class": {
                kind: {"pairs": len(by_class[kind]), "recall": round(sum(by_class[kind]) / len(by_class[kind]), 4)}
                for kind in CLASSES if by_class.get(kind)
            },
        }
    return figures
