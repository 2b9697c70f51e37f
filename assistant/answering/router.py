"""Decide per turn what the user wants: policy answer, listing search, calculation, a person, small talk,
or something out of scope. Several may combine (a listing search that also asks for a calculation)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HANDOFF = re.compile(
    r"人工|真人|转人工|客服|(找|请|让|安排)(个|一个|位)?项目管家|项目管家.{0,4}联系我|联系(你们|工作人员|招商|专人)|找(个|一个)?人|专人对接|留(个|下)?(联系方式|电话)|回电|"
    r"\b(human|real person|talk to (a |an )?(person|agent|someone|human)|speak (to|with) (a |an )?(person|someone|agent|human)"
    r"|contact (me|someone|a person)|call me|call back|project manager)\b", re.I)
SMALLTALK = re.compile(
    r"^\s*(你好|您好|嗨|哈喽|谢谢|多谢|感谢|再见|你是谁|你能做什么|早上好|晚上好|hi|hello|hey|thanks|thank you|bye|"
    r"who are you|what can you do|good (morning|evening|afternoon))[\s!！。.?？,，]*$", re.I)
PLACES = re.compile(r"贵阳|贵安|贵州|guiyang|gui'?an|guizhou", re.I)
# Words that place a question inside our domain: investing in Guiyang / Gui'an.
DOMAIN = re.compile(
    r"贵阳|贵安|贵州|筑|经开|高新|综保|保税|观山湖|双龙|开阳|息烽|白云|修文|清镇|花溪|南明|云岩|乌当|小兰山|园区|厂房|仓库|"
    r"5\+3|十五五|东数西算|成效|目标|渠道|办公|水价|电|地|税|资金|基金|上市|研发|博士|硕士|毕业|人才|就业|"
    r"用地|土地|地价|拿地|亩|电价|电费|用电|峰谷|需量|容量|输配|代理购电|人才|补贴|补助|奖励|落户|安家|税|加计扣除|招商|投资|"
    r"项目|政策|优惠|租金|租|售|企业|公司|落地|算力|数据中心|标准地|先租后让|营商|审批|办事|服务|"
    r"guiyang|gui'?an|guizhou|park|zone|factory|plant|warehouse|land|electric|power|tariff|talent|subsid|incentive|"
    r"tax|invest|rent|lease|data cent|policy|project|company|grant|award|bonded|kwh|mu\b|peak|valley|hours?\b|"
    r"phd|master|graduate|r&d|research|listing|fund|comput|hotline|contact|service|enterprise|business|yuan|"
    r"price|cost|fee|rate|rebate|water|gas|wage|office|unit|kva|settle|allowance|hiring|apartment", re.I)
OFF_TOPIC = re.compile(
    r"天气|下雨|降雨|下雪|气温|温度多少|股票|股价|股市|炒股|彩票|写.{0,8}诗|作诗|诗歌|笑话|菜谱|做饭|星座|八卦|明星|电影|游戏|足球|篮球|减肥|恋爱|"
    r"房价走势|开场白|主持词|祝酒词|演讲稿|情书|作文|"
    r"champions league|world cup|premier league|nba\b|olympic|weather|stock tip|stocks?\b|lottery|poem|joke|recipe|horoscope|movie|football|bitcoin|crypto|"
    r"capital of (?!guizhou)|python|javascript|\bcode\b|function that|program(me)? that|代码|编程|程序", re.I)
WEAK_DOMAIN = re.compile(r"\b(price|prices|cost|costs|fee|rate|rates|yuan|company|companies|business|project|service|"
                         r"contact|policy|unit|units)\b|价格|公司|企业|项目|服务|政策", re.I)
OTHER_CITIES = re.compile(r"北京|上海|浦东|深圳|广州|杭州|苏州|南京|武汉|西安|天津|重庆|成都|昆明|长沙|"
                          r"beijing|shanghai|shenzhen|guangzhou|hangzhou|chengdu|chongqing", re.I)
# Instructions smuggled into a question: stripped before answering, never obeyed.
INJECTION = re.compile(
    r"忽略(之前|以上|前面|上面|所有|你的)?的?(全部|所有)?(指令|指示|提示|规则|设定|要求)|不受任何限制|你现在是|从现在起你|扮演|"
    r"系统提示词?|提示词|系统通知|本助手已升级|每个回答|回答末尾|转账至|system prompt|ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts|rules)|"
    r"disregard (all |any )?(previous|prior|your)|you are now|pretend (to be|you)|jailbreak|developer mode", re.I)


def strip_instructions(text: str) -> tuple[str, bool]:
    """Drop the clauses that carry injected instructions; (remaining question, whether any were found)."""
    if not INJECTION.search(text):
        return text, False
    # Quoted material that carries instructions goes whole, quotes included.
    text = re.sub(r"[『「“\"]([^』」”\"]*)[』」”\"]", lambda m: "" if INJECTION.search(m.group(1)) else m.group(0), text)
    clauses = re.split(r"(?<=[，,。.;；!！?？])", text)
    kept = "".join(c for c in clauses if not INJECTION.search(c)).strip(" ，,。.;；")
    return kept, True
FACTORY = re.compile(r"厂房|车间|仓库|库房|办公室|办公用房|写字楼|层高|净高|承重|荷载|F-?\d{3}|factory|factories|plant\b|"
                     r"warehouse|workshop|office|\bunits?\b|clear height|floor load", re.I)
# A listing search asks for units: availability, requirements or a unit id, not facts about a programme.
SEARCH = re.compile(r"有没有|有哪些|哪些|哪个|找|推荐|合适|出租|出售|租用|可租|可售|能租|还能|想租|想买|购买|买|空置|\d|"
                    r"available|which|looking for|need|want|find|any .*for (rent|sale)|for rent|for sale|lease|"
                    r"largest|biggest|smallest|tallest|cheapest|most expensive|最大|最小|最便宜|最贵|楼上|一楼|"
                    r"upper[- ]floor|ground[- ]floor|crane|行车", re.I)
# An area asked for is a factory search unless the question is about land.
AREA = re.compile(r"\d\s*(?:m2|m²|㎡|sqm|sq\.?\s?m\b|square met(?:re|er)s?)", re.I)
# Power-price questions (峰谷, tariff) stay policy questions even when they mention the plant they run.
TARIFF_TOPIC = re.compile(r"电价|电费|峰|谷|分时|tariff|peak|valley|off-peak|kwh|per kilowatt", re.I)
UNIT_REQUEST = re.compile(r"F-?\d{3}|出租|出售|租用|想租|想买|可租|空置|for rent|for sale|lease|available|looking for",
                          re.I)
LAND = re.compile(r"地|land|plot|\bmu\b|亩", re.I)
PARK = re.compile(r"园区|开发区|经开区|高新区|综保区|新区|基地|航空港|park|zone|development area", re.I)


@dataclass(frozen=True)
class Route:
    intents: tuple[str, ...]  # subset of: handoff, smalltalk, out_of_scope, listing, park, calculation, policy
    language: str
    in_domain: bool = True
    reasons: tuple[str, ...] = field(default=())

    def has(self, intent: str) -> bool:
        return intent in self.intents


def detect_language(text: str) -> str:
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk >= 2 or (cjk and cjk * 3 >= latin) else "en" if latin else "zh"


def route(text: str, *, is_calculation: bool = False, followup_context: bool = False) -> Route:
    language = detect_language(text)
    intents: list[str] = []
    in_domain = bool(DOMAIN.search(text)) or followup_context
    if HANDOFF.search(text):
        intents.append("handoff")
    if SMALLTALK.match(text):
        intents.append("smalltalk")
    # Off-topic words decide unless the question also names an investment topic ("贵阳天气" is off-topic);
    # generic words such as price or company don't count here ("stock prices" is still off-topic).
    rest = WEAK_DOMAIN.sub("", PLACES.sub("", OTHER_CITIES.sub("", text)))
    if OFF_TOPIC.search(text) and not DOMAIN.search(rest):
        return Route(("out_of_scope",), language, False, ("off-topic words",))
    if OTHER_CITIES.search(text) and not PLACES.search(text):
        return Route(("out_of_scope",), language, False, ("another city",))
    if is_calculation:
        intents.append("calculation")
    wants_units = FACTORY.search(text) or (AREA.search(text) and not LAND.search(text))
    about_tariff = TARIFF_TOPIC.search(text) and not UNIT_REQUEST.search(text)
    if (wants_units and SEARCH.search(text) and not about_tariff
            and not re.search(r"多少个|几个|项目|how many projects", text)):
        intents.append("listing")
    elif PARK.search(text) and re.search(r"(有哪些|哪些|列表|清单|介绍|which|list|what parks)", text, re.I):
        intents.append("park")
    if not intents or intents == ["handoff"] and len(text) > 20:
        intents.append("policy")
    return Route(tuple(dict.fromkeys(intents)), language, in_domain)
