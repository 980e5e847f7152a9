"""The official-list evaluation (watchlists.evaluation): its classes and a small run."""

import pytest

from watchlists import evaluation


@pytest.mark.parametrize(
    ("alias", "name", "kind"),
    [
        ("Acme Trading", "ACME  trading", "same after folding"),
        ("Siemens Aktiengesellschaft", "Siemens AG", "legal form or title"),
        ("Dr. Ayman al-Zawahiri", "Ayman al-Zawahiri", "legal form or title"),
        ("محسن فاضل عايد عاشور الفضلي", "MUHSIN FADHIL AYED ASHOUR AL-FADHLI", "script"),
        ("AMEZCUA, Jose de Jesus", "AMEZCUA CONTRERAS, Jose de Jesus", "name parts"),
        ("Snow Storm 2", "Snow Storm 1", "numbers"),
        ("SHALEESH, Asef Isa", "SHALISH, Asef", "spelling"),
        ("IRASCO ITALY", "IRASCO S.R.L.", "name parts"),
        ("Amir Khazmat", "ASLAN AVGAZAROVICH BYUTUKAEV", "different name"),
    ],
)
def test_classify(alias, name, kind):
    assert evaluation.classify(alias, name) == kind


def test_the_set_is_there():
    parties = evaluation.load()
    assert len(parties) == 4302
    assert sum(len(p.aliases) for p in parties) == 14638
    assert {p.source for p in parties} == {"OFAC", "UN"}


@pytest.mark.django_db
def test_a_small_run_prints_every_figure():
    chosen = [p for p in evaluation.load() if p.source == "UN" and not all(a.isascii() for a in p.aliases)][:40]
    figures = evaluation.run(chosen, thresholds=(85.0,))
    at = figures["at_85"]
    assert figures["parties"] == 40 and figures["alias_queries"] == sum(len(p.aliases) for p in chosen)
    assert set(at) == {"recall_matchable", "recall_all", "hit_precision", "names_flagging_another_entry", "by_class"}
    # Measured on these 40 UN parties (below the targets: docs/performance.md says why).
    assert at["by_class"]["script"] == {"pairs": 26, "recall": 0.7308}
    assert at["by_class"]["name parts"] == {"pairs": 8, "recall": 1.0}
    assert at["by_class"]["different name"] == {"pairs": 23, "recall": 0.0}
    assert at["hit_precision"] == 0.8542
