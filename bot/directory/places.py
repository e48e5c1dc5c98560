"""English regions, and the places and counties people name instead of them."""

from __future__ import annotations

import difflib
import re

from bot.folding import LETTERS, fold

REGIONS = {
    "north-east": "North East",
    "north-west": "North West",
    "yorkshire-and-the-humber": "Yorkshire and the Humber",
    "east-midlands": "East Midlands",
    "west-midlands": "West Midlands",
    "east-of-england": "East of England",
    "london": "London",
    "south-east": "South East",
    "south-west": "South West",
}

_PLACES_BY_REGION = {
    "north-east": """north east, northeast, the north east, newcastle, newcastle upon tyne,
        sunderland, durham, county durham, gateshead, middlesbrough, darlington, hartlepool,
        stockton, stockton on tees, northumberland, tyne and wear, teesside, south shields,
        north tyneside, redcar""",
    "north-west": """north west, northwest, the north west, manchester, greater manchester,
        liverpool, merseyside, stockport, salford, bolton, wigan, oldham, rochdale, bury,
        trafford, tameside, preston, blackpool, blackburn, burnley, lancaster, lancashire,
        cumbria, carlisle, kendal, barrow, chester, cheshire, warrington, crewe, birkenhead,
        wirral, st helens, knowsley, sefton, southport""",
    "yorkshire-and-the-humber": """yorkshire, yorkshire and the humber, yorkshire and humber,
        the humber, humberside, hull, kingston upon hull, leeds, sheffield, bradford, york,
        wakefield, doncaster, rotherham, barnsley, huddersfield, halifax, calderdale,
        kirklees, harrogate, scarborough, grimsby, scunthorpe, north yorkshire,
        south yorkshire, west yorkshire, east yorkshire, east riding, north lincolnshire,
        north east lincolnshire, beverley, east yorks, east yorkshire, yorks, west yorks,
        south yorks, north yorks, bridlington, goole, hessle, selby, ripon, keighley, dewsbury""",
    "east-midlands": """east midlands, nottingham, nottinghamshire, derby, derbyshire,
        leicester, leicestershire, lincoln, lincolnshire, northampton, northamptonshire,
        rutland, mansfield, chesterfield, loughborough, kettering, corby, boston""",
    "west-midlands": """west midlands, the midlands, midlands, birmingham, coventry,
        wolverhampton, walsall, dudley, sandwell, solihull, stoke, stoke on trent,
        staffordshire, stafford, shropshire, shrewsbury, telford, worcester,
        worcestershire, hereford, herefordshire, warwick, warwickshire, nuneaton,
        redditch, kidderminster""",
    "east-of-england": """east of england, east anglia, the east, norwich, norfolk, ipswich,
        suffolk, cambridge, cambridgeshire, peterborough, chelmsford, essex, colchester,
        southend, basildon, luton, bedford, bedfordshire, hertfordshire, st albans,
        watford, stevenage, harlow, great yarmouth, kings lynn, thurrock""",
    "london": """london, greater london, city of london, westminster, camden, islington,
        hackney, tower hamlets, southwark, lambeth, lewisham, greenwich, croydon, bromley,
        barnet, ealing, brent, haringey, newham, wandsworth, richmond, kingston,
        hounslow, hillingdon, harrow, enfield, redbridge, havering, bexley, sutton,
        merton, waltham forest, barking, dagenham, hammersmith, fulham, kensington,
        chelsea""",
    "south-east": """south east, southeast, the south east, kent, surrey, sussex,
        east sussex, west sussex, brighton, brighton and hove, hampshire, southampton,
        portsmouth, winchester, oxford, oxfordshire, reading, berkshire, slough, windsor,
        buckinghamshire, milton keynes, maidstone, canterbury, guildford, woking,
        crawley, eastbourne, hastings, isle of wight, medway, basingstoke""",
    "south-west": """south west, southwest, the south west, bristol, bath, somerset,
        devon, exeter, plymouth, torquay, torbay, cornwall, truro, gloucester,
        gloucestershire, cheltenham, swindon, wiltshire, salisbury, dorset, bournemouth,
        poole, taunton, weymouth, isles of scilly""",
}

# The directory covers England. A place in another nation is recognised, so the assistant
# can say plainly that nobody there is listed, instead of listing everybody.
_PLACES_OUTSIDE_ENGLAND = {
    "Scotland": """scotland, glasgow, edinburgh, aberdeen, dundee, inverness, stirling, perth,
        paisley, fife, highlands, ayrshire, lanarkshire, falkirk""",
    "Wales": """wales, cardiff, swansea, newport, wrexham, bangor, aberystwyth, carmarthen,
        merthyr tydfil, bridgend, llanelli, gwynedd, powys, pembrokeshire, anglesey""",
    "Northern Ireland": """northern ireland, belfast, derry, londonderry, lisburn, newry,
        armagh, omagh, enniskillen, ballymena, county antrim, county down""",
    "Ireland": "ireland, republic of ireland, dublin, cork, galway, limerick",
    "the Isle of Man": "isle of man, douglas",
    "the Channel Islands": "channel islands, jersey, guernsey",
}
PLACE_OUTSIDE_ENGLAND: dict[str, str] = {
    " ".join(place.split()): nation for nation, places in _PLACES_OUTSIDE_ENGLAND.items() for place in places.split(",")
}

PLACE_TO_REGION: dict[str, str] = {}
for _slug, _places in _PLACES_BY_REGION.items():
    PLACE_TO_REGION[_slug.replace("-", " ")] = _slug
    PLACE_TO_REGION[REGIONS[_slug].lower()] = _slug
    for _place in _places.split(","):
        PLACE_TO_REGION[" ".join(_place.split())] = _slug


def _fold(text: str) -> str:
    return fold(text, token=LETTERS)


def region_for(place: str | None) -> str | None:
    """The English region slug for a region, county, city or town name, else None."""
    if not place:
        return None
    folded = _fold(place)
    if not folded:
        return None
    if folded in PLACE_TO_REGION:
        return PLACE_TO_REGION[folded]
    folded = re.sub(r"^(the|in|near|around|from|county of|city of)\s+", "", folded)
    if folded in PLACE_TO_REGION:
        return PLACE_TO_REGION[folded]
    close = difflib.get_close_matches(folded, PLACE_TO_REGION.keys(), n=1, cutoff=0.85)
    return PLACE_TO_REGION[close[0]] if close else None


def regions_mentioned(text: str) -> list[str]:
    """Regions of every place named in free text, longest names first."""
    folded = f" {_fold(text)} "
    found: list[str] = []
    for place in sorted(PLACE_TO_REGION, key=len, reverse=True):
        if f" {place} " in folded:
            region = PLACE_TO_REGION[place]
            if region not in found:
                found.append(region)
            folded = folded.replace(f" {place} ", " ")
    return found


def places_outside_england(text: str) -> list[tuple[str, str]]:
    """(place as named, nation) for each place outside England named in free text."""
    folded = f" {_fold(text)} "
    found: list[tuple[str, str]] = []
    for place in sorted(PLACE_OUTSIDE_ENGLAND, key=len, reverse=True):
        if f" {place} " in folded:
            found.append((place.title(), PLACE_OUTSIDE_ENGLAND[place]))
            folded = folded.replace(f" {place} ", " ")
    return found


def outside_england(place: str | None) -> str | None:
    """The nation of a place outside England (as given in a region entity), else None."""
    if not place:
        return None
    folded = re.sub(r"^(the|in|near|around|from|county of|city of)\s+", "", _fold(place))
    return PLACE_OUTSIDE_ENGLAND.get(folded)
