"""English names of investor topics with their Chinese equivalents, so an English question can be checked
against a mostly Chinese corpus: a topic the corpus names in neither language is one it cannot answer.

Longer phrases come first: "natural gas" is checked before "gas"."""

from __future__ import annotations

import re

GLOSSARY: dict[str, tuple[str, ...]] = {
    "water tariff": ("水价", "水费", "用水"), "water price": ("水价", "水费", "用水"),
    "water supply": ("供水", "用水"), "water": ("用水", "供水", "水价", "水费", "自来水"),
    "natural gas": ("天然气", "燃气", "供气"), "gas": ("天然气", "燃气", "供气"),
    "import duty": ("关税", "进口"), "import duties": ("关税", "进口"), "customs duty": ("关税", "海关"),
    "duty": ("关税",), "import": ("进口",), "export": ("出口",),
    "fortune 500": ("世界500强", "500强"),
    "minimum wage": ("最低工资",), "wage": ("工资", "薪酬"), "wages": ("工资", "薪酬"),
    "salary": ("工资", "薪酬"), "loan": ("贷款",), "loans": ("贷款",), "interest subsidy": ("贴息",),
    "visa": ("签证",), "work permit": ("工作许可",), "school": ("学校",), "schools": ("学校",),
    "hospital": ("医院",), "social insurance": ("社保", "社会保险"), "housing fund": ("公积金",),
    "broadband": ("宽带",), "wastewater": ("污水",), "sewage": ("污水",), "railway": ("铁路",),
    "airport": ("机场",), "land price": ("地价", "用地价格"), "electricity": ("电价", "用电"),
    "rent": ("租金",), "talent": ("人才",), "tax": ("税",), "subsidy": ("补贴", "补助", "奖励"),
}
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(GLOSSARY, key=len, reverse=True)) + r")\b",
                      re.I)


def unknown_english_topic(question: str, corpus_text: str, lowered: str | None = None) -> str:
    """The first glossary topic named in the question that the corpus names in neither English nor Chinese.
    ``lowered``: the corpus text in lower case, when the caller keeps it (it is long)."""
    lowered = corpus_text.lower() if lowered is None else lowered
    for match in _PATTERN.finditer(question):
        term = match.group(1).lower()
        if re.search(rf"\b{re.escape(term)}\b", lowered):
            continue
        if not any(zh in corpus_text for zh in GLOSSARY[term]):
            return term
    return ""
