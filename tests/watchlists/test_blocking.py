"""The candidate index finds every name one edit away, and the benchmark command runs."""

import io
import random

import pytest
from django.core.management import call_command

from watchlists.blocking import entry_blocks, query_blocks
from watchlists.normalise import NameForms, normalise


def _forms(key: str) -> NameForms:
    return NameForms(key=key, syllables=key, compact=key, han="")


def _edit(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text))
    return rng.choice([
        text[:i] + "x" + text[i + 1:],  # substitution
        text[:i] + text[i + 1:],  # deletion
        text[:i] + "x" + text[i:],  # insertion
    ])


def test_every_key_one_edit_away_shares_a_block():
    rng = random.Random(7)
    for _ in range(3000):
        key = "".join(rng.choice("abcdefgh") for _ in range(rng.randint(2, 30)))
        edited = _edit(rng, key)
        if not edited:
            continue
        assert entry_blocks([_forms(key)]).keys() & set(query_blocks(_forms(edited))), (key, edited)


@pytest.mark.parametrize(
    ("listed", "query"),
    [
        ("上海恒瑞精密机械有限公司", "恒瑞精密机械(上海)有限公司"),  # region moved into brackets
        ("上海恒瑞精密机械有限公司", "上海恒泰精密机械"),  # one other character
        ("上海恒瑞精密机械有限公司", "上海恒瑞精密机械厂"),  # one character too many
        ("上海恒瑞精密机械", "Shanghai Hengrui Jingmi Jixie"),  # pinyin against characters
        ("Shanghai Hengrui Jingmi Jixie", "上海恒瑞精密机械"),
        ("Senuzi Remi Resources", "Senuzi Reti Resources"),  # a typo that moves a word in sorted order
        ("张伟国", "Weiguo Zhang"),
    ],
)
def test_variants_share_a_block(listed, query):
    assert entry_blocks([normalise(listed)]).keys() & set(query_blocks(normalise(query)))


def test_identifier_blocks_carry_no_key():
    blocks = entry_blocks([], identifiers=["REG12345"])
    assert list(blocks.values()) == [""]
    assert set(blocks) == set(query_blocks(NameForms("", "", "", ""), identifiers=["REG12345"]))


@pytest.mark.django_db
def test_bench_screening_command_prints_the_figures():
    out = io.StringIO()
    call_command("bench_screening", "--entries", "400", "--queries", "40", "--workers", "0", stdout=out)
    text = out.getvalue()
    for label in ("import ", "query latency", "threshold    85", "recall by kind", "peak memory"):
        assert label in text


def test_letters_swapped_across_the_middle_share_a_block():
    listed, query = "nivevoescusofia", "nivevosecusofia"  # "oe" / "eo" at the middle
    assert entry_blocks([_forms(listed)]).keys() & set(query_blocks(_forms(query)))


def test_chinese_character_missing_in_the_second_half_shares_a_block():
    assert entry_blocks([normalise("武汉长江电子元器件有限公司")]).keys() & set(
        query_blocks(normalise("武汉长江电子元件有限公司"))
    )
