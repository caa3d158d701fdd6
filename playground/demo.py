"""The demo workspace: made-up people in made-up organisations, spread over three time zones.

Deterministic, so two runs of `unmentor playground --people N` show the same people.
"""

from __future__ import annotations

from dataclasses import dataclass

# Six organisations of the kinds an unmentoring network brings together: a council, a hospital
# trust, a housing charity, a software company, a university and a small design studio.
ORGANISATIONS = [
    ("Brackley Borough Council", "brackley.gov.uk", "Europe/London"),
    ("Northgate Health Trust", "northgatehealth.nhs.uk", "Europe/London"),
    ("Riverside Housing", "riversidehousing.org", "America/New_York"),
    ("Kestrel Software", "kestrel.io", "America/New_York"),
    ("University of Lakeford", "lakeford.ac.uk", "Asia/Singapore"),
    ("Fernhill Design Studio", "fernhill.studio", "Asia/Singapore"),
]
TITLES = [
    "Head of Operations", "Senior Software Engineer", "Programme Manager", "Data Analyst", "Community Nurse Lead",
    "Finance Director", "User Researcher", "Policy Officer", "Volunteer Coordinator", "Product Manager",
    "People Partner", "Grants Officer", "Lecturer in Civil Engineering", "Service Designer", "Tenancy Officer",
    "Platform Engineer", "Chief Executive", "Communications Lead", "Research Fellow", "Procurement Manager",
    "Ward Sister", "Graphic Designer", "Planning Officer", "Customer Support Lead",
]
FIRST = ["Amara", "Ben", "Chloé", "Dev", "Eilidh", "Farid", "Grace", "Hiro", "Ines", "Jonah", "Kemi", "Luca",
         "Maya", "Niall", "Oluwaseun", "Priya", "Quinn", "Rosa", "Sami", "Tomasz", "Uma", "Vikram", "Wen", "Yusuf"]
LAST = ["Okafor", "Hughes", "Martin", "Patel", "MacLeod", "Haddad", "Lin", "Tanaka", "Moreau", "Adler", "Adeyemi",
        "Rossi", "Cohen", "Byrne", "Balogun", "Raman", "Doyle", "Álvarez", "Nieminen", "Kowalski", "Sharma", "Iyer",
        "Zhang", "Demir"]


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    email: str
    title: str
    organisation: str
    timezone: str
    organiser: bool = False


def people(count: int = 24) -> list[Person]:
    """`count` people, spread evenly over the organisations; the first is the organiser."""
    found = []
    for n in range(count):
        organisation, domain, zone = ORGANISATIONS[n % len(ORGANISATIONS)]
        # Walk first and last names at different strides, so names stay varied past 24 people.
        first, last = FIRST[n % len(FIRST)], LAST[(n * 7 + n // len(FIRST)) % len(LAST)]
        name = f"{first} {last}" if n < len(FIRST) * len(LAST) else f"{first} {last} {n}"
        local = f"{first}.{last}".lower().replace("é", "e").replace("á", "a")
        email = f"{local}{'' if n < len(FIRST) else n}@{domain}"
        found.append(Person(
            user_id=f"U0{n + 1:04d}DEMO", name=name, email=email, title=TITLES[(n * 5) % len(TITLES)],
            organisation=organisation, timezone=zone, organiser=n == 0,
        ))
    return found


def add_to(fake, everyone: list[Person]) -> None:
    """Put the people in the Slack stand-in, with the app's DM open for each, as in a real workspace."""
    for person in everyone:
        fake.add_user(person.user_id, real_name=person.name, email=person.email, tz=person.timezone,
                      title=person.title, is_admin=person.organiser)
        fake.open_dm(person.user_id)
