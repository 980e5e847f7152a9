"""Each normalisation rule, pinyin in both orders, and hand-computed scores."""

import pytest

from watchlists.matching import score_names
from watchlists.normalise import fold, han_to_pinyin, looks_like_identifier, normalise, normalise_identifier


def test_fold_full_width_letters_and_ideographic_space_become_half_width():
    assert fold("ＡＣＭＥ\u3000Ｔｒａｄｉｎｇ") == "acme trading"


def test_fold_case_is_folded():
    assert fold("ACME Trading") == "acme trading"


def test_fold_full_stops_apostrophes_and_hyphens_join():
    assert fold("O'Brien S.A. Jean-Pierre") == "obrien sa jeanpierre"


def test_fold_other_punctuation_separates_words():
    assert fold("Acme,Trading&Sons (HK)") == "acme trading sons hk"


def test_fold_latin_diacritics_are_removed():
    assert fold("Müller Société") == "muller societe"


def test_fold_full_width_brackets_around_chinese():
    assert fold("恒瑞（上海）") == "恒瑞 上海"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("上海恒瑞精密机械股份有限公司", "shanghaihengruijingmijixie"),
        ("上海恒瑞精密机械厂", "shanghaihengruijingmijixie"),
        ("上海恒瑞精密机械有限责任公司", "shanghaihengruijingmijixie"),
        ("上海恒瑞精密机械集团有限公司", "shanghaihengruijingmijixie"),
        ("上海恒瑞精密机械(集团)有限公司", "shanghaihengruijingmijixie"),
        ("上海恒瑞精密机械", "shanghaihengruijingmijixie"),
    ],
)
def test_normalise_chinese_legal_forms_are_set_aside(name, key):
    assert normalise(name).key == key


@pytest.mark.parametrize(
    "name",
    ["Acme Trading", "Acme Trading Co., Ltd.", "Acme Trading Limited", "Acme Trading Inc.", "Acme Trading Corp.",
     "Acme Trading LLC", "Acme Trading GmbH", "Acme Trading AG", "Acme Trading S.A.", "Acme Trading PLC",
     "The Acme Trading Company"],
)
def test_normalise_english_and_european_legal_forms_are_set_aside(name):
    assert normalise(name).key == "acme trading"


def test_normalise_leading_legal_form_and_honorific_are_set_aside():
    assert normalise("OOO Romashka").key == "romashka"
    assert normalise("Mr. John Smith").key == "john smith"


def test_normalise_name_made_only_of_legal_words_is_kept():
    assert normalise("Limited").key == "limited"


def test_normalise_word_order_is_ignored():
    assert normalise("Trading Acme").key == normalise("Acme Trading").key == "acme trading"


def test_pinyin_chinese_name_matches_pinyin_in_both_orders():
    assert normalise("张伟").key == normalise("Zhang Wei").key == normalise("Wei Zhang").key == "wei zhang"


def test_pinyin_three_character_name_reads_as_surname_and_given_name():
    assert normalise("王建国").key == normalise("Wang Jianguo").key == normalise("JIANGUO Wang").key


def test_pinyin_compound_surname():
    assert normalise("欧阳修").key == "ouyang xiu"


def test_pinyin_polyphonic_characters_follow_the_phrase():
    assert han_to_pinyin("重庆银行") == ["chong", "qing", "yin", "hang"]
    assert han_to_pinyin("长城") == ["chang", "cheng"]


def test_pinyin_u_umlaut_is_written_u():
    assert han_to_pinyin("吕") == ["lu"]


def test_normalise_identifier_folds_width_case_and_separators():
    assert normalise_identifier("ｍａ-1234 5678") == "MA12345678"


def test_looks_like_identifier():
    assert looks_like_identifier("91350100M000100Y43")
    assert not looks_like_identifier("Acme Trading 2")
    assert not looks_like_identifier("ABCDEFGH")


@pytest.mark.parametrize(
    ("query", "listed", "score"),
    [
        # ratio("acme trading", "acme tradng"): 1 deletion in 23 characters → (1 - 1/23) × 100.
        ("Acme Trading", "Acme Tradng", 95.7),
        # ratio("john smith", "jon smith"): 1 deletion in 19 characters.
        ("John Smith", "Jon Smith", 94.7),
        ("Acme Trading", "Trading Acme Inc.", 100.0),
        ("张伟", "Wei Zhang", 100.0),
        ("华东精密机械有限公司", "Huadong Jingmi Jixie", 100.0),
        # Same pinyin, other characters (a homophone): 100 × 0.95.
        ("张伟", "章伟", 95.0),
        # One of six characters differs: ratio of the characters, (1 - 2/12) × 100.
        ("华东精密机械", "华东精工机械", 83.3),
    ],
)
def test_score_hand_computed_examples(query, listed, score):
    assert score_names(query, listed) == score


@pytest.mark.parametrize("name", ["张伟", "欧阳修", "上海恒瑞精密机械股份有限公司", "有限公司", "重庆银行", "李"])
def test_normalise_pure_chinese_fast_path_equals_the_general_path(name):
    # A trailing space makes the name take the general path (fold, tokens, …).
    assert normalise(name) == normalise(name + " ")
