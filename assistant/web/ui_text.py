"""Interface wording of the investor page in both languages, and the suggested questions per topic."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.lexicon import Suggestions

LANGS = (("中文", "zh"), ("English", "en"))

LABELS: dict[str, dict[str, str]] = {
    "header": {
        "zh": "## 筑商通 · 贵阳贵安投资助手\n用地、电价、人才、标准厂房、招商优惠——每个回答都注明出处。",
        "en": "## Invest Guiyang Assistant\nLand, power, talent, standard factories, incentives: "
              "every answer cites its sources.",
    },
    "sample_notice": {
        "zh": "示例数据，以主管部门最新发布为准。",
        "en": "Sample data: the latest publications of the competent authorities prevail.",
    },
    "language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "chat": {"zh": "对话", "en": "Conversation"},
    "placeholder": {"zh": "请输入您的问题", "en": "Ask a question"},
    "placeholder_example": {"zh": "请输入您的问题，例如：{q}", "en": "Ask a question, e.g. {q}"},
    "send": {"zh": "发送", "en": "Send"},
    "suggested": {"zh": "### 常见问题", "en": "### Suggested questions"},
    "sources": {"zh": "来源", "en": "Sources"},
    "open_source": {"zh": "查看原文", "en": "View source"},
    "sample_badge": {"zh": "示例数据", "en": "Sample data"},
    "working": {"zh": "计算过程", "en": "Working"},
    "results": {"zh": "查询结果", "en": "Results"},
    "too_long": {"zh": "问题太长了，请控制在 {n} 字以内。", "en": "Please keep your question under {n} characters."},
    "failed": {"zh": "抱歉，暂时无法回答，请稍后再试。", "en": "Sorry, the assistant could not answer; please try again."},
    "busy": {"zh": "您已有 {n} 个问题正在回答，请等它们答完再问。",
             "en": "You already have {n} questions being answered; please wait for them to finish, then ask again."},
    "timeout": {"zh": "抱歉，回答超时，请稍后再试，或留下联系方式由项目管家回复。",
                "en": "Sorry, the answer took too long; please try again, or leave your contact details below."},
    "thanks": {"zh": "谢谢您的反馈！", "en": "Thank you for your feedback!"},
    "contact": {"zh": "联系我（项目管家回访）", "en": "Contact me (a project manager will call back)"},
    "name": {"zh": "姓名 *", "en": "Name *"},
    "company": {"zh": "公司", "en": "Company"},
    "phone": {"zh": "手机或座机（与邮箱二选一）", "en": "Phone (or email)"},
    "email": {"zh": "邮箱", "en": "Email"},
    "interest": {"zh": "关注领域", "en": "Interest"},
    "message": {"zh": "留言", "en": "Message"},
    "submit": {"zh": "提交", "en": "Submit"},
    "lead_ok": {"zh": "✅ 已收到（编号 {id}），项目管家将尽快与您联系。",
                "en": "✅ Received (no. {id}). A project manager will contact you soon."},
    "lead_bad": {"zh": "请检查：{fields}", "en": "Please check: {fields}"},
    "need_contact": {"zh": "请填写手机/座机或邮箱", "en": "give a phone number or an email"},
    # the policy-match form (ui_match)
    "m_title": {"zh": "政策匹配：填写项目情况，看能享受哪些政策", "en": "Policy match: describe your project, see what support applies"},
    "m_hint": {"zh": "只填已知的项即可，未填的记为待确认。金额单位为万元。",
               "en": "Fill in what you know; the rest is left to confirm. Amounts in 10,000 yuan."},
    "m_industry": {"zh": "行业（如：锂电池正极材料）", "en": "Industry (e.g. cathode materials)"},
    "m_district": {"zh": "选址区县", "en": "District"},
    "m_open": {"zh": "未定", "en": "Not decided"},
    "m_investment": {"zh": "计划总投资（万元）", "en": "Planned investment (10k yuan)"},
    "m_land": {"zh": "用地（亩）", "en": "Land (mu)"},
    "m_factory": {"zh": "租用厂房面积（㎡）", "en": "Factory floor to lease (m²)"},
    "m_kwh": {"zh": "年用电量（万度）", "en": "Power use a year (10k kWh)"},
    "m_jobs": {"zh": "新增就业（人）", "en": "New jobs"},
    "m_revenue": {"zh": "年营业收入（万元）", "en": "Annual revenue (10k yuan)"},
    "m_rd": {"zh": "年研发费用（万元）", "en": "Annual R&D spend (10k yuan)"},
    "m_phd": {"zh": "新引进博士（人）", "en": "New PhD hires"},
    "m_master": {"zh": "新引进硕士（人）", "en": "New master's hires"},
    "m_bachelor": {"zh": "新引进本科（人）", "en": "New bachelor's hires"},
    "m_run": {"zh": "匹配政策", "en": "Match incentives"},
    "m_download": {"zh": "下载投资简报（可打印）", "en": "Download the investment brief (printable)"},
    "m_empty": {"zh": "请至少填写一项。", "en": "Please fill in at least one field."},
    "m_bad": {"zh": "请检查：{fields}", "en": "Please check: {fields}"},
    "m_unavailable": {"zh": "暂时无法匹配：政策规则未加载。", "en": "Matching is unavailable: the rules are not loaded."},
    # the pages a citation opens (source_pages)
    "brand": {"zh": "筑商通", "en": "Invest Guiyang Assistant"},
    "source_page": {"zh": "来源", "en": "Source"},
    "original_file": {"zh": "原始文件", "en": "Original file"},
    "all_rows": {"zh": "全部条目", "en": "All rows"},
    "rule_basis": {"zh": "依据", "en": "Source"},
    # a listing's generic name by its kind, where its metadata gives no title in the reader's language (the
    # loaders give the same Chinese names), and the English stand-in for a Chinese title with no English one
    "listing_parks": {"zh": "园区信息清单", "en": "Park list"},
    "listing_factories": {"zh": "标准厂房房源清单", "en": "Standard factory list"},
    "chinese_document": {"zh": "中文文件", "en": "Chinese document"},
    "not_found": {"zh": "没有找到所引用的条目。", "en": "The cited entry was not found."},
}

# Listing fields by their record names (listings.records): the answer's factory table and a listing row's page.
FIELDS: dict[str, tuple[str, str]] = {
    "id": ("编号", "ID"), "name": ("名称", "Name"), "name_en": ("英文名称", "English name"),
    "park": ("园区", "Park"), "district": ("区县", "District"), "park_en": ("园区英文名", "Park (English)"),
    "district_en": ("区县英文名", "District (English)"), "building_en": ("楼栋英文名", "Building (English)"),
    "floor_en": ("楼层英文名", "Floor (English)"), "level": ("级别", "Level"),
    "building": ("楼栋", "Building"), "floor": ("楼层", "Floor"), "area_m2": ("面积㎡", "Area m²"),
    "clear_height_m": ("层高m", "Height m"), "floor_load_t_m2": ("承重t/㎡", "Load t/m²"),
    "power_kva": ("电力kVA", "Power kVA"), "rent_yuan_m2_month": ("租金元/㎡·月", "Rent ¥/m²·month"),
    "sale_price_yuan_m2": ("售价元/㎡", "Price ¥/m²"), "status": ("状态", "Status"),
    "industries": ("适合产业", "Industries"), "leading_industries": ("主导产业", "Leading industries"),
    "land_price_yuan_m2": ("工业用地价格元/㎡", "Land price ¥/m²"),
    "land_price_wan_mu": ("工业用地价格万元/亩", "Land price ¥10,000/mu"), "land_price_note": ("地价说明", "Land price note"),
    "power_supply": ("电力配套", "Power supply"), "logistics": ("交通物流", "Logistics"), "contact": ("联系电话", "Contact"),
    "notes": ("备注", "Notes"), "updated": ("更新日期", "Updated"),
    # The other optional English columns, as a Chinese page lists them (an English page shows each in its field's place).
    "level_en": ("级别英文", "Level (English)"), "leading_industries_en": ("主导产业英文", "Leading industries (English)"),
    "industries_en": ("适合产业英文", "Industries (English)"), "land_price_note_en": ("地价说明英文", "Land price note (English)"),
    "power_supply_en": ("电力配套英文", "Power supply (English)"), "logistics_en": ("交通物流英文", "Logistics (English)"),
    "notes_en": ("备注英文", "Notes (English)"),
}

# (key, zh label, en label): the topics of the page; their suggested questions come from the corpus's lexicon.
TOPICS: list[tuple[str, str, str]] = [
    ("land", "用地", "Land"), ("electricity", "电价", "Electricity"), ("talent", "人才", "Talent"),
    ("factories", "标准厂房", "Standard factories"), ("incentives", "招商优惠", "Incentives"),
]


def t(key: str, lang: str, **values: object) -> str:
    entry = LABELS[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**values) if values else text


def listing_title(kind: str, lang: str) -> str:
    """The generic name of a listing of ``kind`` (parks, factories); "" for any other kind."""
    key = f"listing_{kind}"
    return t(key, lang) if key in LABELS else ""


def field_label(key: str, lang: str) -> str:
    zh, en = FIELDS.get(key, (key, key))
    return en if lang == "en" else zh


def topic_label(index: int, lang: str) -> str:
    _key, zh, en = TOPICS[index]
    return f"**{en if lang == 'en' else zh}**"


def topic_questions(index: int, lang: str, suggestions: Mapping[str, Suggestions]) -> tuple[str, ...]:
    """The corpus's suggested questions for a topic (the lexicon's ``suggestions``), in the page's language."""
    found = suggestions.get(TOPICS[index][0])
    return found.get(lang) if found else ()


def placeholder(lang: str, suggestions: Mapping[str, Suggestions]) -> str:
    """The question box's hint, with the corpus's first suggested question as the example."""
    first = next((q for i in range(len(TOPICS)) for q in topic_questions(i, lang, suggestions)), "")
    return t("placeholder_example", lang, q=first) if first else t("placeholder", lang)


def interest_choices(lang: str) -> list[tuple[str, str]]:
    return [(en if lang == "en" else zh, key) for key, zh, en in TOPICS] + [
        ("Other" if lang == "en" else "其他", "other")]
