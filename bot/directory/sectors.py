"""The sectors ambassadors work in, and the words people use for them."""

from __future__ import annotations

from bot.folding import LETTERS, fold

SECTORS = {
    "health": "Health",
    "social-care": "Social care",
    "employment-support": "Employment support",
    "employee-ownership": "Employee ownership",
    "retail": "Retail",
    "social-enterprise": "Social enterprise",
    "social-innovation": "Social innovation",
    "finance-investment": "Finance and investment",
    "business-support": "Business support",
    "libraries-culture": "Libraries and culture",
    "leisure-sport": "Leisure and sport",
    "education": "Education",
    # Sectors that people ask for and staff can give ambassadors in the console, even
    # while nobody in the directory has them: "nobody matches" is then a plain answer.
    "legal": "Legal",
    "hr-workforce": "HR and workforce",
    "pensions": "Pensions",
    "procurement": "Procurement and contracts",
    "housing": "Housing",
    "emergency-services": "Emergency services",
    "justice": "Justice and probation",
    "transport": "Transport",
    "environment": "Environment and waste",
    "children-young-people": "Children and young people",
}

_WORDS_BY_SECTOR = {
    "health": """health, healthcare, health care, nhs, community health, hospital,
        hospitals, clinical, nursing, gp, primary care, public health, mental health,
        wellbeing, health and wellbeing""",
    "social-care": """social care, adult social care, care, carers, care homes, social
        services, social work, youth services, youth work,
        domiciliary care, disability services, adult services""",
    "employment-support": """employment support, supported employment, employment,
        jobs, learning disabilities, back to work""",
    "employee-ownership": """employee ownership, employee owned, employee-owned,
        staff ownership, john lewis, partnership model, employee benefit trust""",
    "retail": "retail, shops, retailing",
    "social-enterprise": """social enterprise, social enterprises, charity, charities,
        voluntary sector, third sector, community sector""",
    "social-innovation": "social innovation, innovation, research, young foundation",
    "finance-investment": """finance, investment, investors, social investment, funding,
        fundraising, loans, financial""",
    "business-support": """business support, business planning, business, commercial,
        consultancy, purpose driven business, social purpose business""",
    "libraries-culture": """libraries, library, culture, arts, museums, archives,
        heritage""",
    "leisure-sport": "leisure, sport, sports, leisure centres, gyms, physical activity",
    "education": "education, schools, school, training, skills, colleges",
    "legal": "legal, law, lawyer, lawyers, solicitor, solicitors, legal advice, legal side, governance",
    "hr-workforce": """hr, human resources, personnel, workforce, people management, staff
        transfer, tupe, industrial relations, employment law""",
    "pensions": "pensions, pension, lgps, pension schemes",
    "procurement": "procurement, commissioning, contracts, tendering, bids, bidding",
    "housing": "housing, social housing, homelessness, housing association",
    "emergency-services": "fire, fire service, fire and rescue, police, ambulance, ambulance service",
    "justice": "justice, prisons, prison, probation, courts, youth justice",
    "transport": "transport, buses, highways, roads, parking",
    "environment": "environment, waste, recycling, parks, green spaces, environmental services",
    "children-young-people": "childrens services, children, young people, family services",
}

WORD_TO_SECTOR: dict[str, str] = {}
for _slug, _words in _WORDS_BY_SECTOR.items():
    WORD_TO_SECTOR[_slug.replace("-", " ")] = _slug
    WORD_TO_SECTOR[SECTORS[_slug].lower()] = _slug
    for _word in _words.split(","):
        WORD_TO_SECTOR[" ".join(_word.split()).replace("-", " ")] = _slug


def _fold(text: str) -> str:
    return fold(text, token=LETTERS)


def sector_for(word: str | None) -> str | None:
    if not word:
        return None
    folded = _fold(word)
    if folded in WORD_TO_SECTOR:
        return WORD_TO_SECTOR[folded]
    if folded.endswith("s") and folded[:-1] in WORD_TO_SECTOR:
        return WORD_TO_SECTOR[folded[:-1]]
    found = sectors_mentioned(folded)
    return found[0] if found else None


def sectors_mentioned(text: str) -> list[str]:
    folded = f" {_fold(text)} "
    found: list[str] = []
    for word in sorted(WORD_TO_SECTOR, key=len, reverse=True):
        if f" {word} " in folded:
            sector = WORD_TO_SECTOR[word]
            if sector not in found:
                found.append(sector)
            folded = folded.replace(f" {word} ", " ")
    return found
