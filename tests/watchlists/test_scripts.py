"""Issue 11: each matching rule across scripts and naming habits, with exact scores.

Scores are rapidfuzz ratios on the normalised forms (watchlists.normalise), with the factors
of watchlists.matching: a loose form (consonant skeleton for Arabic/Hebrew, folded
romanisation for Hangul) counts 0.95 of itself, a subset of a person's name parts scores 90,
names whose numbers differ are multiplied by 0.75.
"""

import pytest

from onboarding.validators import normalise_credit_code
from watchlists.matching import NUMBER_FACTOR, SUBSET_SCORE, score_names, subset_score
from watchlists.normalise import normalise, to_simplified


@pytest.mark.parametrize(
    ("query", "listed", "person", "score"),
    [
        ("Vladimir Putin", "Путин Владимир Владимирович", True, 90.0),
        ("Alexis Tsipras", "Αλέξης Τσίπρας", False, 100.0),
        ("Osama bin Laden", "أسامة بن لادن", True, 95.0),
        ("Benjamin Netanyahu", "בנימין נתניהו", True, 89.4),
        ("Kim Jong Un", "김정은", True, 95.0),
        ("Yamada Taro", "ヤマダ タロウ", True, 95.7),
        ("Thaksin Shinawatra", "ทักษิณ ชินวัตร", True, 88.2),
        ("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", True, 90.0),
        ("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", False, 66.7),
        ("Mohammed bin Salman", "Mohammed bin Salman bin Abdulaziz Al Saud", True, 90.0),
        ("V. Putin Vladimirovich", "Vladimir Vladimirovich Putin", True, 85.7),
        ("Lyudmila Putina", "PUTIN, Vladimir Vladimirovich", True, 35.0),
        ("Sergei Ivanov", "Ivanov, Viktor Petrovich", True, 55.6),
        ("Ivan Petrov", "Sergei Petrov", True, 63.6),
        ("Siemens AG", "Siemens Aktiengesellschaft", False, 100.0),
        ("Acme GmbH", "Acme Gesellschaft mit beschränkter Haftung", False, 100.0),
        ("OAO Gazprom", "Open Joint Stock Company Gazprom", False, 100.0),
        ("Gazprom JSC", "PJSC Gazprom", False, 100.0),
        ("Acme Sp. z o.o.", "Acme spółka z ograniczoną odpowiedzialnością", False, 100.0),
        ("Acme S.A.", "Acme Sociedad Anónima", False, 100.0),
        ("Acme LLC", "Acme Limited Liability Company", False, 100.0),
        ("华为技术有限公司", "华为技术有限责任公司", False, 100.0),
        ("华为技术集团", "華為技術集團", False, 100.0),
        ("Huawei Jishu You Xian Gong Si", "华为技术有限公司", False, 100.0),
        ("Huawei Jishu Jituan", "华为技术", False, 100.0),
        ("Dr. John Smith", "John Smith", True, 100.0),
        ("President Vladimir Putin", "Vladimir Putin", True, 100.0),
        ("His Excellency Bashar al-Assad", "Bashar al-Assad", True, 100.0),
        ("General Electric", "Electric", False, 69.6),
        ("Snow Storm 1", "Snow Storm 2", False, 68.8),
        ("Snow Storm 1", "Snow Storm 1", False, 100.0),
        ("Boeing 737", "Boeing 747", False, 67.5),
        ("華為技術有限公司", "华为技术有限公司", False, 100.0),
        ("華為技術", "Huawei Jishu", False, 100.0),
        ("中國銀行", "中国银行", False, 100.0),
    ],
)
def test_exact_scores_of_each_rule(query, listed, person, score):
    assert score_names(query, listed, person=person) == score


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Путин Владимир Владимирович", "putin vladimir vladimirovich"),  # Cyrillic
        ("Αλέξης Τσίπρας", "alexis tsipras"),  # Greek
        ("أسامة بن لادن", "bn ldn smh"),  # Arabic: consonants, as written
        ("בנימין נתניהו", "ntnyhv vnymyn"),  # Hebrew
        ("김정은", "gim jeongeun"),  # Hangul: family name + given name
        ("ヤマダ タロウ", "tarou yamada"),  # kana
        ("ทักษิณ ชินวัตร", "chinwatr thaksin"),  # Thai
    ],
)
def test_every_script_is_written_in_latin_letters(name, key):
    assert normalise(name).key == key


def test_script_mark_for_loose_forms():
    assert normalise("أسامة بن لادن").script == "abjad"
    assert normalise("בנימין נתניהו").script == "abjad"
    assert normalise("김정은").script == "hangul"
    assert normalise("Osama bin Laden").script == ""


@pytest.mark.parametrize(
    "name",
    ["Siemens AG", "Siemens Aktiengesellschaft", "SIEMENS A.G."],
)
def test_german_legal_forms_are_one(name):
    assert normalise(name).key == "siemens"


@pytest.mark.parametrize(
    "name",
    ["OAO Gazprom", "PAO Gazprom", "PJSC Gazprom", "Gazprom JSC", "Open Joint Stock Company Gazprom",
     "Public Joint Stock Company Gazprom", "ПАО Газпром", "ОАО Газпром"],
)
def test_russian_joint_stock_forms_are_one(name):
    assert normalise(name).key == "gazprom"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Sp. z o.o.", "acme"), ("Acme S.A.", "acme"), ("Acme LLC", "acme"),
        ("Acme Limited Liability Company", "acme"), ("Acme GmbH", "acme"), ("ООО Ромашка", "romashka"),
        ("华为技术有限责任公司", "hua weijishu"), ("華為技術有限公司", "hua weijishu"), ("华为技术集团", "hua weijishu"),
        ("華為技術集團", "hua weijishu"), ("Huawei Jishu You Xian Gong Si", "huawei jishu"),
        ("Huawei Jishu Youxian Gongsi", "huawei jishu"), ("Huawei Jishu Ji Tuan", "huawei jishu"),
        ("Huawei Jishu Gufen Youxian Gongsi", "huawei jishu"),
    ],
)
def test_legal_form_families(name, key):
    assert normalise(name).key == key


def test_titles_are_set_aside_only_when_two_words_remain():
    assert normalise("President Vladimir Putin").key == "putin vladimir"
    assert normalise("Dr. Hans Müller").key == "hans muller"
    assert normalise("His Excellency Bashar al-Assad").key == "al assad bashar"
    assert normalise("General Electric").key == "electric general"


def test_traditional_becomes_simplified_before_pinyin():
    assert to_simplified("華為技術有限公司") == "华为技术有限公司"
    assert normalise("華為技術有限公司") == normalise("华为技术有限公司")
    assert to_simplified("Acme") == "Acme"


def test_numbers_are_significant():
    assert NUMBER_FACTOR == 0.75
    # ratio("1 snow storm", "2 snow storm") = 91.67, times 0.75.
    assert score_names("Snow Storm 1", "Snow Storm 2") == 68.8
    assert score_names("Snow Storm", "Snow Storm 2") == 94.7  # a number on one side only: not a difference


def test_subset_rule():
    assert subset_score("putin vladimir", "putin vladimir vladimirovich") == SUBSET_SCORE == 90.0
    assert subset_score("putin vladimir vladimirovich", "putin vladimir") == 90.0  # either way
    assert subset_score("bin mohammed salman", "abdulaziz al bin bin mohammed salman saud") == 90.0  # particles
    assert subset_score("j putin vladimir", "john putin smith vladimir") == 90.0  # an initial
    assert subset_score("k putin vladimir", "john putin smith vladimir") == 0.0  # initial of no part
    assert subset_score("putin", "putin vladimir") == 0.0  # one part only
    assert subset_score("lyudmila putina", "putin vladimir vladimirovich") == 0.0  # same surname, other name
    assert subset_score("petrov sergei", "ivan ivanovich petrov") == 0.0


def test_subset_rule_is_for_persons_only():
    # "Bank of China" against "Agricultural Bank of China" must not become a subset hit.
    assert score_names("Bank of China", "Agricultural Bank of China") == 66.7
    assert score_names("Vladimir Putin", "PUTIN, Vladimir Vladimirovich") == 66.7


def test_chinese_names_have_no_subset_rule():
    assert score_names("张伟", "Zhang Wei Ming", person=True) == 80.0  # ratio("weizhang", "zhangweiming")


def test_credit_code_normalisation_reused_by_identifiers():
    assert normalise_credit_code("９１３５ ０２１１－Ｍ０００ ０ＸＵＦ４６") == "91350211M0000XUF46"
