import io

import pytest

from accounts.roles import Role
from onboarding.enums import State
from tests.factories import ApplicationFactory, advance, user_with
from watchlists.services import screen_application, watchlist_import

HEADER = "id,name,aliases,country,program,entity_type\n"


def csv_file(*lines: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO((header + "".join(f"{line}\n" for line in lines)).encode())


def import_list(*lines: str, source: str = "Test list", header: str = HEADER, **kwargs):
    return watchlist_import(file=csv_file(*lines, header=header), source_name=source, **kwargs)


@pytest.fixture
def sample_list(db):
    """A small list: a person in Chinese with pinyin aliases, a Chinese and an English company."""
    return import_list(
        "P-1,张伟,Zhang Wei;ZHANG Wei,CN,TEST,person",
        "C-1,华东精密机械有限公司,East China Precision Machinery Co. Ltd.,CN,TEST,company",
        "C-2,Acme Trading LLC,,US,OFAC-SDN,company",
        "P-2,John Smith,,GB,UK-HMT,person",
    )


@pytest.fixture
def other_investigator(db):
    return user_with(Role.INVESTIGATOR, username="olga")


@pytest.fixture
def listed_application(sales, reviewer, db):
    """An application in background check, screened: its legal representative (王建国) and its
    Chinese name are on the list, so it has two pending hits."""
    import_list(
        "P-9,王建国,Wang Jianguo,CN,TEST,person",
        "C-9,宏远重工有限公司,,CN,TEST,company",
        source="Sanctions",
    )
    application = ApplicationFactory(created_by=sales, legal_name_zh="宏远重工有限公司", legal_name_en="Unrelated Ltd")
    application = advance(application, State.BACKGROUND_CHECK, reviewer=reviewer)
    screen_application(application_id=application.pk)
    return application
