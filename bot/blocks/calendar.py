"""'Add to calendar' links: addresses that open Google Calendar or Outlook on the web with a new
event filled in (the time, the title and a link to the conversation), for the member to save.
Nothing else goes in them: no one's words, no one's email address."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from bot import ids
from bot.blocks.kit import Message, actions, context, message, section, slack_date, with_marker

HOUR = timedelta(hours=1)


def event_title(partners) -> str:
    return "unmentor: an hour with " + " and ".join(partners)


def event_details(conversation_url: str | None) -> str:
    if not conversation_url:
        return "Your unmentor conversation is in Slack."
    return f"Your unmentor conversation in Slack: {conversation_url}"


def google_calendar_url(title: str, starts: datetime, details: str) -> str:
    def stamp(at: datetime) -> str:
        return at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    # Google's documented "TEMPLATE" link: it fills in a new event and saves nothing until you do.
    return "https://calendar.google.com/calendar/render?" + urlencode(
        {"action": "TEMPLATE", "text": title, "dates": f"{stamp(starts)}/{stamp(starts + HOUR)}", "details": details})


def outlook_url(title: str, starts: datetime, details: str, *, host: str = "outlook.office.com") -> str:
    def stamp(at: datetime) -> str:
        return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Outlook on the web's compose deep link: work and school accounts on outlook.office.com,
    # personal ones on outlook.live.com.
    return f"https://{host}/calendar/deeplink/compose?" + urlencode(
        {"path": "/calendar/action/compose", "rru": "addevent", "subject": title, "startdt": stamp(starts),
         "enddt": stamp(starts + HOUR), "body": details})


def _link_button(text: str, url: str, which: str) -> dict:
    # Slack still tells the app about a click on a link button; its listener only acknowledges it.
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": f"{ids.CALENDAR_LINK}_{which}",
            "url": url}


def calendar_links_message(links, marker: str | None = None, zones: Sequence[str] = ()) -> Message:
    title = event_title(links.partners)
    details = event_details(links.conversation_url)
    who = " and ".join(f"<@{user_id}>" for user_id in links.partner_ids)
    first = (f"Your chat with {who} has moved to {slack_date(links.meeting_at, zones)}." if links.moved
             else f"Your chat with {who} is on {slack_date(links.meeting_at, zones)}.")
    text = f"{first} Add it to your calendar, if you like:"
    moved = " If you saved the old time, it stays in your calendar until you remove it." if links.moved else ""
    return with_marker(message(
        text,
        section(text),
        actions(
            _link_button("Add to Google Calendar", google_calendar_url(title, links.meeting_at, details), "google"),
            _link_button("Add to Outlook", outlook_url(title, links.meeting_at, details), "outlook"),
            _link_button("Add to Outlook.com", outlook_url(title, links.meeting_at, details,
                                                           host="outlook.live.com"), "outlook_com"),
        ),
        context("Each link opens Google's or Microsoft's page with the time, the title and a link back to your "
                 f"conversation filled in; nothing is saved until you save it there.{moved}"),
    ), marker)
