"""Demo data for watchlists: a small fictional list, and screening of the demo applications.

Called by ``manage.py seed_demo`` after onboarding's seed (INSTALLED_APPS order); safe to
run again. Every name on the list is invented; two of them resemble the demo application
in background check, so that its page shows hits to disposition.
"""

from __future__ import annotations

import io
from typing import TextIO

from onboarding.enums import State
from onboarding.models import Application
from watchlists.enums import SourceFormat
from watchlists.models import WatchlistSource
from watchlists.selectors import screened_since
from watchlists.services import screen_application, watchlist_import

DEMO_SOURCE = "Demo sanctions list (fictional)"
DEMO_ROWS = (
    "id,name,aliases,country,program,entity_type,identifiers",
    # Resemble 武汉长江电子元件有限公司 and its legal representative 邓卫国 (a namesake).
    "DEMO-0001,武汉长江电子元器件有限公司,Wuhan Changjiang Electronic Devices Co. Ltd.,CN,DEMO-EXPORT-CONTROL,"
    "company,",
    "DEMO-0002,Deng Weiguo,DENG Wei-guo,CN,DEMO-PEP,person,",
    "DEMO-0003,Northwind Maritime Holdings Ltd,Northwind Shipping,PA,DEMO-SANCTIONS,company,IMO9123456",
    "DEMO-0004,Baltic Amber Trading OOO,Baltiyskiy Yantar,RU,DEMO-SANCTIONS,company,",
    "DEMO-0005,Karim Haddad,Kareem Al-Haddad,SY,DEMO-SANCTIONS,person,",
    "DEMO-0006,Golden Crescent Petroleum FZE,,AE,DEMO-SANCTIONS,company,",
    "DEMO-0007,深圳宏远通讯设备有限公司,Shenzhen Hongyuan Communication Equipment Co. Ltd.,CN,DEMO-EXPORT-CONTROL,"
    "company,91440300MA5DEMO07X",
    "DEMO-0008,李振华,Li Zhenhua,CN,DEMO-PEP,person,",
    "DEMO-0009,Orion Dual-Use Technologies GmbH,,DE,DEMO-EXPORT-CONTROL,company,HRB 123456",
    "DEMO-0010,Pyongyang Unity Trading Corporation,,KP,DEMO-SANCTIONS,company,",
    "DEMO-0011,Elena Petrovna Sokolova,Yelena Sokolova,RU,DEMO-SANCTIONS,person,",
    "DEMO-0012,上海东瀛精密仪器有限公司,Shanghai Dongying Precision Instruments Co. Ltd.,CN,DEMO-EXPORT-CONTROL,"
    "company,",
)


def seed_watchlists(stdout: TextIO) -> None:
    stdout.write("Watchlists demo data:\n")
    if not WatchlistSource.objects.filter(name=DEMO_SOURCE).exists():
        data = io.BytesIO(("\n".join(DEMO_ROWS) + "\n").encode())
        result = watchlist_import(file=data, source_name=DEMO_SOURCE, file_format=SourceFormat.CSV,
                                  file_name="demo_watchlist.csv")
        stdout.write(f"  {DEMO_SOURCE}: {result.entries} entries imported\n")
    else:
        stdout.write(f"  {DEMO_SOURCE} exists\n")
    # The worker may not be running yet: screen the applications in background check now.
    for application in Application.objects.filter(state=State.BACKGROUND_CHECK):
        if not screened_since(application_id=application.pk, since=application.state_entered_at):
            run = screen_application(application_id=application.pk)
            stdout.write(f"  {application.reference} screened: {run.hits_found} hit(s)\n")
