"""The people the tests meet, in one place: who they are, their organisation and time zone.

Members: ada (Acme, London), ben (Beta, New York), cy (Gamma), di (Delta), eve (Epsilon),
fay (Zeta), each in an organisation of their own so any two may be paired. Organisers: olive
(named in UNMENTOR_ORGANISERS), adam (a Slack workspace admin) and otto (made one by olive).
They all live in the Slack stand-in's own workspace, TEAM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from playground.slack import TEAM_ID

TEAM = TEAM_ID
# A Monday; London is on UTC in December.
OPENS = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Persona:
    user_id: str
    name: str
    organisation: str = ""
    timezone: str = "Europe/London"


ADA = Persona("UADA", "Ada", "Acme")
BEN = Persona("UBEN", "Ben", "Beta", "America/New_York")
CY = Persona("UCY", "Cy", "Gamma")
DI = Persona("UDI", "Di", "Delta")
EVE = Persona("UEVE", "Eve", "Epsilon")
FAY = Persona("UFAY", "Fay", "Zeta")
MEMBERS = (ADA, BEN, CY, DI, EVE, FAY)

OLIVE = Persona("UOLIVE", "Olive")
ADAM = Persona("UADAM", "Adam")
OTTO = Persona("UOTTO", "Otto")

# (user ID, organisation, time zone), the shape most tests list people in.
PEOPLE = [(p.user_id, p.organisation, p.timezone) for p in MEMBERS]


def join(engine, people=MEMBERS, fake=None) -> None:
    """Sign these members up (and introduce them to the Slack stand-in, when given) as /unmentor join would."""
    from scheduler import membership
    from scheduler.membership import ProfileForm, SlackProfile
    from storage.db import session_scope

    for person in people:
        if fake is not None:
            fake.add_user(person.user_id, real_name=person.name, tz=person.timezone)
        with session_scope(engine) as session:
            membership.save_profile(session, TEAM, person.user_id, ProfileForm(organisation=person.organisation),
                                    SlackProfile(timezone=person.timezone))


def add_workspace(url: str, team_id: str = TEAM) -> None:
    """A workspace the database knows, as after someone's first /unmentor there."""
    from storage import members as store
    from storage.db import make_engine, session_scope

    engine = make_engine(url)
    with session_scope(engine) as session:
        store.ensure_workspace(session, team_id)
    engine.dispose()
