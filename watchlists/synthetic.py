"""A synthetic watchlist and queries with known answers, for ``manage.py bench_screening``.

Entries: Chinese companies (region + brand + trade + legal form, from word pools, often
with an English-style pinyin alias and a credit code), Chinese persons (surname + given
name, often with pinyin aliases in either order), Latin-script companies and persons
(invented words, so that the space of names is large), and Chinese persons listed only in
pinyin. Deterministic for a seed.

Queries: each positive query is derived from one entry (its ``target``) by one kind of
change — exact, typo, reordered words, dropped or changed legal form, pinyin against
characters (both ways), full-width characters. Negative queries are built from pools
disjoint from the list's distinctive parts (brand characters, given-name characters,
invented-word syllables) while sharing the generic ones (regions, trades, surnames, legal
forms), so they look like list names but must not match.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from watchlists.normalise import han_to_pinyin, normalise

REGIONS = (
    "北京 上海 天津 重庆 广州 深圳 杭州 南京 苏州 无锡 宁波 温州 武汉 长沙 成都 西安 郑州 济南 青岛 大连 沈阳 哈尔滨 "
    "长春 石家庄 太原 合肥 福州 厦门 南昌 昆明 贵阳 南宁 海口 兰州 西宁 银川 乌鲁木齐 呼和浩特 拉萨 珠海 东莞 佛山 "
    "中山 常州 南通 徐州 扬州 绍兴 嘉兴 台州 金华 烟台 潍坊 淄博 洛阳 宜昌 襄阳 株洲 绵阳 柳州 泉州 漳州 汕头"
).split()
TRADES = (
    "精密机械 电子科技 国际贸易 化工 物流 投资 建设工程 医药 食品 纺织 能源 矿业 船舶 航运 软件 网络科技 生物科技 实业 "
    "环保科技 汽车配件 新材料 光电 通信设备 半导体 钢铁 有色金属 石油化工 农业发展 房地产开发 建材 家具 服装 电气 "
    "仪器仪表 塑料制品 包装材料 进出口 供应链管理 信息技术 数据服务 医疗器械 文化传媒 教育咨询 机电设备 五金制品 "
    "工业自动化 新能源 船务代理 冷链物流"
).split()
TRADES_EN = {
    "精密机械": "Precision Machinery", "电子科技": "Electronic Technology", "国际贸易": "International Trading",
    "化工": "Chemical", "物流": "Logistics", "投资": "Investment", "建设工程": "Construction Engineering",
    "医药": "Pharmaceutical", "食品": "Food", "纺织": "Textile", "能源": "Energy", "矿业": "Mining",
    "船舶": "Shipbuilding", "航运": "Shipping", "软件": "Software", "网络科技": "Network Technology",
    "生物科技": "Biotechnology", "实业": "Industrial", "环保科技": "Environmental Technology",
    "汽车配件": "Auto Parts", "新材料": "New Materials", "光电": "Optoelectronics",
    "通信设备": "Communication Equipment", "半导体": "Semiconductor", "钢铁": "Steel",
    "有色金属": "Nonferrous Metals", "石油化工": "Petrochemical", "农业发展": "Agricultural Development",
    "房地产开发": "Real Estate Development", "建材": "Building Materials", "家具": "Furniture", "服装": "Garments",
    "电气": "Electric", "仪器仪表": "Instruments", "塑料制品": "Plastic Products", "包装材料": "Packaging",
    "进出口": "Import and Export", "供应链管理": "Supply Chain Management", "信息技术": "Information Technology",
    "数据服务": "Data Services", "医疗器械": "Medical Devices", "文化传媒": "Culture Media",
    "教育咨询": "Education Consulting", "机电设备": "Electromechanical Equipment", "五金制品": "Hardware Products",
    "工业自动化": "Industrial Automation", "新能源": "New Energy", "船务代理": "Shipping Agency",
    "冷链物流": "Cold Chain Logistics",
}
HAN_LEGAL = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司", "集团有限公司")
EN_LEGAL = ("Co., Ltd.", "Co., Ltd.", "Company Limited", "Ltd.", "Limited", "Group Co., Ltd.")
# Brand characters: the list uses the first pool, negative queries the second (disjoint).
BRAND_CHARS = (
    "恒瑞华鑫泰隆盛达通源宏远金嘉信诚德利丰顺安康博创新科明正天海中东南西北江山光辉星宇鼎汇银润佳美永兴旺福祥和合聚"
    "联凯威豪腾飞翔龙凤华锦绣成功立业荣昌茂启航瀚卓越晟昊晨曦瑾琪璟睿哲思远志奥帆扬"
)
# Candidates for the negative pools; those sharing a reading with the list's pool are dropped
# (a homophone of a listed name is a fair match through pinyin, not a must-not-match).
BRAND_CHARS_NEGATIVE = "松柏竹梅兰菊桃李杏梨枫桐樟楠榕槐杉桂荷莲芙蓉蔷薇牡丹茉莉芝苍穹碧霞彩虹岚峦峤崇岱岳峻巍"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "司徒")
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲斌宇浩凯鹏飞鑫波辉宁琳颖晶建国庆春峰志新海东亮"
    "林云丹阳雪梅琴兰凤洁晓光俊文博宏德荣昊天翔瑞成永健鸿毅振家佳欣怡雅婷悦晨思睿子涵轩梓豪诗雨嘉琪泽宸一"
)
GIVEN_CHARS_NEGATIVE = "骁骞珩琰翊彧晏筠蕙淼焱垚犇骉璐瑶琬琛璋瑜璞珂瑗琮玮珺"
LATIN_FIRST = (
    "James John Robert Michael William David Richard Joseph Thomas Charles Maria Anna Elena Olga Irina Natalia Sofia "
    "Ahmed Mohammed Ali Hassan Omar Yusuf Ibrahim Fatima Aisha Leila Ivan Sergei Dmitri Alexei Nikolai Vladimir "
    "Pierre Jean Louis Marie Claire Hans Klaus Peter Stefan Andreas Carlos Jose Luis Juan Miguel Pedro Antonio "
    "Kenji Hiroshi Takeshi Yuki Akira Min Jun Seung Hyun Ji Raj Arjun Vikram Priya Anil Sanjay Kofi Kwame Amara "
    "Chidi Emeka Tunde Ayodele Giorgos Nikos Dimitris Eleni Lars Erik Johan Anders Ingrid Astrid Pavel Tomas Jakub"
).split()
LATIN_SYLLABLES = (
    "ka ko ku ki ra ro ru ri ta to tu ti na no nu ni ma mo mu mi va vo vi la lo li sa so si da do di ga go gi "
    "ba bo bi za zo zi pe re te ne le se de ve ben kor tan mir vel dor gar lin mar sol ter von kal ris hen"
).split()
LATIN_SYLLABLES_NEGATIVE = "qua quo xe xu yx ulf orb ept ayn ewk ith"
LATIN_SURNAME_ENDINGS = ("", "", "ov", "enko", "ez", "son", "ski", "i", "escu", "ian", "er", "ani", "ovic")
LATIN_TRADES = (
    "Trading", "Shipping", "Holdings", "Industries", "Logistics", "Energy", "Petroleum", "Technologies",
    "Resources", "Investment", "Maritime", "Metals", "Chemicals", "Engineering", "Capital", "Minerals",
)
LATIN_LEGAL = ("Ltd", "LLC", "Inc.", "Co., Ltd.", "GmbH", "S.A.", "PLC", "JSC", "Limited", "Corp.")
COUNTRIES = ("RU", "IR", "KP", "SY", "VE", "BY", "MM", "AE", "TR", "US", "GB", "DE", "HK", "SG", "PK", "AF")
PROGRAMS = ("SDN", "EU-FSF", "UN-SC", "UK-HMT", "CN-MOFCOM", "DPRK", "IRAN", "RUSSIA-EO14024")

KINDS_POSITIVE = ("exact", "typo", "reorder", "legal_form", "pinyin", "fullwidth")


@dataclass
class Entry:
    external_id: str
    name: str
    aliases: list[str]
    country: str
    program: str
    entity_type: str
    identifiers: list[str]
    # What the query builder needs: the kind and the parts of the name.
    kind: str = ""
    parts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    text: str
    kind: str
    target: str | None  # external id of the entry it must find; None: must not match
    # The target's names, normalised: another entry listed under exactly the same name (a
    # namesake: the word pools repeat common names) is as right an answer as the target.
    target_keys: frozenset[str] = frozenset()


def _pinyin_word(han: str) -> str:
    return "".join(han_to_pinyin(han)).capitalize()


class Generator:
    def __init__(self, seed: int = 20260101) -> None:
        self.random = random.Random(seed)
        self.serial = 0

    # --- names -------------------------------------------------------------------------------

    def _brand(self, pool: str) -> str:
        return "".join(self.random.choice(pool) for _ in range(self.random.choice((2, 2, 2, 3))))

    def _given(self, pool: str) -> str:
        return "".join(self.random.choice(pool) for _ in range(self.random.choice((1, 2, 2, 2, 2, 2, 2, 2, 2, 2))))

    def _surname(self) -> str:
        return self.random.choice(COMPOUND_SURNAMES) if self.random.random() < 0.02 else self.random.choice(SURNAMES)

    def _latin_word(self, syllables: list[str], low: int = 2, high: int = 3) -> str:
        return "".join(self.random.choice(syllables) for _ in range(self.random.randint(low, high))).capitalize()

    def han_company(self, brand_pool: str = BRAND_CHARS) -> dict:
        return {
            "region": self.random.choice(REGIONS), "brand": self._brand(brand_pool),
            "trade": self.random.choice(TRADES), "legal": self.random.choice(HAN_LEGAL),
        }

    def han_person(self, given_pool: str = GIVEN_CHARS) -> dict:
        return {"surname": self._surname(), "given": self._given(given_pool)}

    def latin_company(self, syllables: list[str] | None = None) -> dict:
        syllables = syllables or LATIN_SYLLABLES
        words = [self._latin_word(syllables)]
        if self.random.random() < 0.4:
            words.append(self._latin_word(syllables))
        return {"words": words, "trade": self.random.choice(LATIN_TRADES), "legal": self.random.choice(LATIN_LEGAL)}

    def latin_person(self, syllables: list[str] | None = None) -> dict:
        syllables = syllables or LATIN_SYLLABLES
        first = self.random.choice(LATIN_FIRST)
        surname = self._latin_word(syllables, 2, 3) + self.random.choice(LATIN_SURNAME_ENDINGS)
        middle = self._latin_word(syllables, 2, 2) if self.random.random() < 0.3 else ""
        return {"first": first, "middle": middle, "surname": surname}

    # --- entries -----------------------------------------------------------------------------

    def entry(self) -> Entry:
        self.serial += 1
        external_id = f"SYN-{self.serial:08d}"
        roll = self.random.random()
        country = self.random.choice(COUNTRIES)
        program = self.random.choice(PROGRAMS)
        if roll < 0.32:
            p = self.han_company()
            name = p["region"] + p["brand"] + p["trade"] + p["legal"]
            aliases = []
            if self.random.random() < 0.5:
                aliases.append(_han_company_english(p))
            identifiers = [_credit_code(self.random)] if self.random.random() < 0.6 else []
            return Entry(external_id, name, aliases, "CN", program, "company", identifiers, "han_company", p)
        if roll < 0.64:
            p = self.han_person()
            name = p["surname"] + p["given"]
            aliases = []
            if self.random.random() < 0.5:
                surname, given = _pinyin_word(p["surname"]), _pinyin_word(p["given"])
                aliases.append(f"{surname.upper()} {given}" if self.random.random() < 0.5 else f"{given} {surname}")
            return Entry(external_id, name, aliases, "CN", program, "person", [], "han_person", p)
        if roll < 0.69:
            # A Chinese person listed in pinyin only: queried in characters.
            p = self.han_person()
            name = f"{_pinyin_word(p['surname'])} {_pinyin_word(p['given'])}"
            return Entry(external_id, name, [], "CN", program, "person", [], "pinyin_person", p)
        if roll < 0.85:
            p = self.latin_company()
            name = " ".join([*p["words"], p["trade"], p["legal"]])
            identifiers = [f"REG{self.random.randint(10**7, 10**8 - 1)}"] if self.random.random() < 0.4 else []
            return Entry(external_id, name, [], country, program, "company", identifiers, "latin_company", p)
        p = self.latin_person()
        name = " ".join(w for w in (p["first"], p["middle"], p["surname"]) if w)
        aliases = [f"{p['surname']} {p['first']}"] if self.random.random() < 0.3 else []
        return Entry(external_id, name, aliases, country, program, "person", [], "latin_person", p)

    # --- queries -----------------------------------------------------------------------------

    def positive(self, entry: Entry, kind: str) -> str:
        p, r = entry.parts, self.random
        if entry.kind == "han_company":
            if kind == "exact":
                return entry.name
            if kind == "typo":
                return p["region"] + _han_typo(r, p["brand"]) + p["trade"] + p["legal"]
            if kind == "reorder":
                return f"{p['brand']}{p['trade']}({p['region']}){p['legal']}"
            if kind == "legal_form":
                return p["region"] + p["brand"] + p["trade"] + r.choice(["", "股份有限公司", "集团", "有限责任公司"])
            if kind == "pinyin":
                return " ".join(_pinyin_word(x) for x in (p["region"], p["brand"])) + " " + " ".join(
                    _pinyin_word(p["trade"][i:i + 2]) for i in range(0, len(p["trade"]), 2))
            return _fullwidth(f"{p['region']}{p['brand']}{p['trade']}({p['legal']})")
        if entry.kind in ("han_person", "pinyin_person"):
            surname, given = _pinyin_word(p["surname"]), _pinyin_word(p["given"])
            han = p["surname"] + p["given"]
            if kind == "exact":
                return entry.name
            if kind == "typo":
                if entry.kind == "pinyin_person":
                    return f"{surname} {_latin_typo(r, given)}" if len(given) >= 5 else f"{surname} {given}"
                return p["surname"] + _han_typo(r, p["given"])
            if kind == "reorder":
                return f"{given} {surname}"
            if kind == "legal_form":
                return f"{surname.upper()}, {given}"
            if kind == "pinyin":
                return han if entry.kind == "pinyin_person" else r.choice([f"{surname} {given}", f"{given} {surname}"])
            # Full-width Latin letters (as typed with a Chinese input method) against either script.
            return _fullwidth(f"{surname.upper()} {given}")
        if entry.kind == "latin_company":
            words = p["words"]
            if kind == "exact":
                return entry.name
            if kind == "typo":
                index = r.randrange(len(words))
                typo = [(_latin_typo(r, w) if i == index else w) for i, w in enumerate(words)]
                return " ".join([*typo, p["trade"], p["legal"]])
            if kind == "reorder":
                return " ".join([p["trade"], *reversed(words), p["legal"]])
            if kind == "legal_form":
                return " ".join([*words, p["trade"], r.choice(["", "Limited", "Inc", "Corporation", "GmbH"])])
            if kind == "pinyin":
                return entry.name.upper()
            return _fullwidth(entry.name)
        first, middle, surname = p["first"], p["middle"], p["surname"]
        if kind == "exact":
            return entry.name
        if kind == "typo":
            return " ".join(w for w in (first, middle, _latin_typo(r, surname)) if w)
        if kind == "reorder":
            return f"{surname.upper()}, {first} {middle}".strip()
        if kind == "legal_form":
            # A person has no legal form: an honorific, set aside the same way.
            return "Mr. " + entry.name
        if kind == "pinyin":
            return entry.name.lower()
        return _fullwidth(entry.name)

    def negative(self) -> str:
        roll = self.random.random()
        if roll < 0.3:
            p = self.han_company(_distinct_readings(BRAND_CHARS_NEGATIVE, BRAND_CHARS))
            return p["region"] + p["brand"] + p["trade"] + p["legal"]
        if roll < 0.55:
            p = self.han_person(_distinct_readings(GIVEN_CHARS_NEGATIVE, GIVEN_CHARS))
            return p["surname"] + p["given"]
        syllables = LATIN_SYLLABLES_NEGATIVE.split()
        if roll < 0.8:
            p = self.latin_company(syllables)
            return " ".join([*p["words"], p["trade"], p["legal"]])
        p = self.latin_person(syllables)
        return " ".join(w for w in (p["first"], p["middle"], p["surname"]) if w)


def _distinct_readings(candidates: str, listed: str) -> str:
    readings = {han_to_pinyin(c)[0] for c in listed}
    return "".join(c for c in candidates if han_to_pinyin(c)[0] not in readings)


def _han_company_english(p: dict) -> str:
    return f"{_pinyin_word(p['region'])} {_pinyin_word(p['brand'])} {TRADES_EN[p['trade']]} Co., Ltd."


def _credit_code(r: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "91" + "".join(r.choice(alphabet) for _ in range(16))


def _latin_typo(r: random.Random, word: str) -> str:
    """One edit inside the word (not its first letter): substitute, drop, double or swap."""
    if len(word) < 4:
        return word
    i = r.randrange(1, len(word) - 1)
    op = r.choice(("substitute", "drop", "double", "swap"))
    if op == "substitute":
        return word[:i] + r.choice("aeioulnrst".replace(word[i].lower(), "")) + word[i + 1:]
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


_HOMOPHONES: dict[str, list[str]] = {}


def _han_typo(r: random.Random, part: str) -> str:
    """A pinyin-keyboard slip: one character replaced by another with the same reading."""
    if not _HOMOPHONES:
        pool = set(BRAND_CHARS + GIVEN_CHARS + "".join(REGIONS) + "".join(TRADES) + SURNAMES)
        # Common characters with the pools' readings, from the CJK block's first part.
        by_reading: dict[str, list[str]] = {}
        for code in range(0x4E00, 0x9FA6):
            char = chr(code)
            by_reading.setdefault(han_to_pinyin(char)[0], []).append(char)
        for char in pool:
            _HOMOPHONES[char] = [c for c in by_reading.get(han_to_pinyin(char)[0], []) if c != char][:40]
    i = r.randrange(len(part))
    options = _HOMOPHONES.get(part[i]) or [part[i]]
    return part[:i] + r.choice(options) + part[i + 1:]


def _fullwidth(text: str) -> str:
    out = []
    for c in text:
        if c == " ":
            out.append("\u3000")
        elif "!" <= c <= "~":
            out.append(chr(ord(c) + 0xFEE0))
        else:
            out.append(c)
    return "".join(out)


def write_list(out: TextIO, entries: Iterator[Entry]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "name", "aliases", "country", "program", "entity_type", "identifiers"])
    for entry in entries:
        writer.writerow([
            entry.external_id, entry.name, ";".join(entry.aliases), entry.country, entry.program,
            entry.entity_type, ";".join(entry.identifiers),
        ])


def build(
    *, entries: int, queries: int, out: TextIO, seed: int = 20260101, negative_share: float = 0.2
) -> list[Query]:
    """Write ``entries`` synthetic entries as CSV to ``out``; return ``queries`` queries.

    Targets are drawn uniformly from the list by reservoir sampling while it is written,
    so the list never has to fit in memory.
    """
    generator = Generator(seed)
    positives = round(queries * (1 - negative_share))
    reservoir: list[Entry] = []
    sampler = random.Random(seed + 1)

    def stream() -> Iterator[Entry]:
        for index in range(entries):
            entry = generator.entry()
            if len(reservoir) < positives:
                reservoir.append(entry)
            else:
                j = sampler.randrange(index + 1)
                if j < positives:
                    reservoir[j] = entry
            yield entry

    write_list(out, stream())
    built: list[Query] = []
    for index, entry in enumerate(reservoir):
        kind = KINDS_POSITIVE[index % len(KINDS_POSITIVE)]
        keys = frozenset(normalise(name).key for name in (entry.name, *entry.aliases))
        built.append(Query(text=generator.positive(entry, kind), kind=kind, target=entry.external_id,
                           target_keys=keys))
    built += [Query(text=generator.negative(), kind="negative", target=None) for _ in range(queries - positives)]
    sampler.shuffle(built)
    return built
