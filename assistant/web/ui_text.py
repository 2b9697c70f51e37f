"""Interface wording of the investor page in both languages, and the suggested questions per topic."""

from __future__ import annotations

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
    "placeholder": {"zh": "请输入您的问题，例如：经开区工业用地价格是多少？",
                    "en": "Ask a question, e.g. How much does industrial land cost in Xiuwen?"},
    "send": {"zh": "发送", "en": "Send"},
    "suggested": {"zh": "### 常见问题", "en": "### Suggested questions"},
    "sources": {"zh": "来源", "en": "Sources"},
    "open_source": {"zh": "查看原文", "en": "Open document"},
    "sample_badge": {"zh": "示例数据", "en": "sample data"},
    "working": {"zh": "计算过程", "en": "Working"},
    "results": {"zh": "查询结果", "en": "Results"},
    "too_long": {"zh": "问题太长了，请控制在 {n} 字以内。", "en": "Please keep your question under {n} characters."},
    "failed": {"zh": "抱歉，暂时无法回答，请稍后再试。", "en": "Sorry, the assistant could not answer; please try again."},
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
}

# (key, zh label, en label, zh questions, en questions): questions the sample corpus answers.
TOPICS: list[tuple[str, str, str, tuple[str, str], tuple[str, str]]] = [
    ("land", "用地", "Land", ("经开区工业用地价格是多少？", "在经开区拿50亩工业用地要多少钱？"),
     ("How much does industrial land cost in Xiuwen?",
      "Under flexible terms, for how many years can industrial land be granted?")),
    ("electricity", "电价", "Electricity", ("工业用电高峰时段是几点到几点？", "10千伏输配电价的电量电价是多少？"),
     ("What is the 10 kV transmission and distribution energy charge?",
      "What power infrastructure does Gui'an have for data centres?")),
    ("talent", "人才", "Talent", ("博士来贵阳有什么补贴？", "刚毕业的大学生在贵阳租房有补贴吗？"),
     ("What settlement subsidy does someone with a PhD get?",
      "Is there free accommodation for young people coming to Guiyang to look for a job?")),
    ("factories", "标准厂房", "Standard factories", ("经开区有没有3000平以上、层高8米以上的厂房出租？", "有没有可以买的厂房？"),
     ("I need 5,000 m2 with 10 m clear height in Gui'an for rent",
      "Is there any factory with a 10-tonne crane?")),
    ("incentives", "招商优惠", "Incentives", ("西部大开发企业所得税优惠是多少？", "企业首次获批国家级研发中心奖励多少钱？"),
     ("What corporate income tax rate applies to encouraged industries in Guiyang, and until when?",
      "Is there an award for foreign-invested R&D institutes?")),
]


def t(key: str, lang: str, **values: object) -> str:
    entry = LABELS[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**values) if values else text


def topic_label(index: int, lang: str) -> str:
    _key, zh, en, _qz, _qe = TOPICS[index]
    return f"**{en if lang == 'en' else zh}**"


def topic_questions(index: int, lang: str) -> tuple[str, str]:
    return TOPICS[index][4] if lang == "en" else TOPICS[index][3]


def interest_choices(lang: str) -> list[tuple[str, str]]:
    return [(en if lang == "en" else zh, key) for key, zh, en, _qz, _qe in TOPICS] + [
        ("Other" if lang == "en" else "其他", "other")]
