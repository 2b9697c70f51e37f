"""What a visitor is told before leaving contact details (the investor page's form and the widget's): what is
kept, for how long and why. The periods come from settings.privacy; a lead records which version of this text
its form showed (``CONSENT_VERSION``, raised whenever the wording changes) and when it was sent."""

from __future__ import annotations

from assistant.settings import Settings

CONSENT_VERSION = "2026-12-1"

_TEXT = {
    "zh": ("我们保存您填写的姓名、公司、电话或邮箱、留言以及本次咨询的对话记录，仅用于项目管家与您联系、解答您的投资咨询，"
           "不作他用。联系信息保存 {lead_days} 天，对话记录保存 {log_days} 天，到期自动删除；您可随时要求提前删除。"
           "提交即表示您同意上述处理。"),
    "en": ("We keep the name, company, phone or e-mail and message you enter, and this conversation, only so that a "
           "project manager can contact you and answer your investment enquiry. Contact details are deleted after "
           "{lead_days} days and the conversation after {log_days} days; you may ask us to delete them sooner at "
           "any time. By submitting you agree to this."),
}


def consent_text(lang: str, settings: Settings) -> str:
    privacy = settings.privacy
    return _TEXT["en" if lang == "en" else "zh"].format(lead_days=privacy.lead_retention_days,
                                                        log_days=privacy.conversation_retention_days)
