"""Fixed wording of the assistant, in both languages. No numbers here: every number comes from a source."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "greeting": {
        "zh": "您好！我是筑商通，贵阳贵安投资助手。可以问我用地价格、工业电价、人才政策、标准厂房、园区和招商优惠，"
              "回答都会注明出处。",
        "en": "Hello! I am the Invest Guiyang Assistant. Ask me about land prices, power tariffs, talent policy, "
              "standard factories, parks and incentives in Guiyang and Gui'an; every answer cites its sources.",
    },
    "out_of_scope": {
        "zh": "抱歉，这个问题超出了我的服务范围。我可以解答贵阳贵安投资相关的问题：用地、电价、人才政策、标准厂房、园区和招商优惠。",
        "en": "Sorry, that is outside what I can help with. I answer questions about investing in Guiyang and "
              "Gui'an: land, power prices, talent policy, standard factories, parks and incentives.",
    },
    "no_answer": {
        "zh": "抱歉，知识库中没有找到这个问题的可靠答案，我不想给您不准确的信息。您可以留下联系方式，由项目管家跟进解答",
        "en": "Sorry, the knowledge base has no reliable answer to this question, and I would rather not guess. "
              "You can leave your contact details and a project manager will follow up",
    },
    "handoff": {
        "zh": "好的，我们会安排项目管家（人工服务）与您联系，您也可以直接联系",
        "en": "Certainly, a project manager (a person) will help you; you can also reach the service directly",
    },
    "handoff_more": {"zh": "也可以在页面上留下联系方式，我们会尽快回复。",
                     "en": "Or leave your contact details on the page and we will get back to you."},
    "contact_lead": {"zh": "：", "en": ": "},
    # What the knowledge base holds near a declined question (support check): {title} and {missing}.
    "nearby_subject": {"zh": "知识库中有《{title}》等相关内容，但没有关于“{missing}”的信息。",
                       "en": "The knowledge base has related material ({title}), but nothing on \u201c{missing}\u201d."},
    "nearby_place": {"zh": "知识库中找到的《{title}》说的是其他地方，不是“{missing}”。",
                     "en": "What the knowledge base holds ({title}) is about another place, not {missing}."},
    "nearby_year": {"zh": "知识库中找到的《{title}》是其他年份的数据，没有{missing}年的。",
                    "en": "What the knowledge base holds ({title}) is for another year, not {missing}."},
    "nearby_figure": {"zh": "知识库中有《{title}》等相关内容，但没有您问的具体数字。",
                      "en": "The knowledge base has related material ({title}), but not the figure you asked for."},
    "contact_title": {"zh": "招商服务联系方式", "en": "Investment service contact"},
    "contact_phone": {"zh": "电话", "en": "phone"},
    "contact_email": {"zh": "邮箱", "en": "e-mail"},
    "contact_hours": {"zh": "服务时间", "en": "hours"},
    "calc_missing": {
        "zh": "要完成测算，还需要以下信息：",
        "en": "To calculate this I still need: ",
    },
    "calc_head": {"zh": "测算过程：", "en": "Working:"},
    "llm_fallback": {
        "zh": "（智能生成的回答未通过核验，以下为知识库原文摘录。）",
        "en": "(The generated answer could not be verified; showing passages from the knowledge base instead.)",
    },
}


def say(key: str, lang: str) -> str:
    entry = TEXT[key]
    return entry.get(lang) or entry["zh"]
