"""Cues in a visitor's own words that decide triage before any classifier does.

A request for a person can sit anywhere in a long, topical message ("...it's complicated
and I'd rather go through it with an adviser"). The intent classifier sees the whole
message and, on a long one, usually picks the topic; these patterns find the request
itself, so a person always comes first (docs/decisions/0009-triage-cues.md).

Pure functions of the text: no Rasa, no database. The Rasa component in
`triage.component` applies them to every parsed message.
"""

from __future__ import annotations

import re
import unicodedata

# Common misspellings of the words the patterns look for.
_TYPOS = {
    "speek": "speak",
    "spk": "speak",
    "tlak": "talk",
    "tak": "talk",
    "humen": "human",
    "huma": "human",
    "humam": "human",
    "sombody": "somebody",
    "somebdy": "somebody",
    "somone": "someone",
    "someon": "someone",
    "sum1": "someone",
    "some1": "someone",
    "advisor": "adviser",
    "advisors": "advisers",
    "advisr": "adviser",
    "persn": "person",
    "peron": "person",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "phne": "phone",
    "cal": "call",
    "rign": "ring",
    "callback": "call back",
    "ringback": "ring back",
    "call-back": "call back",
    "e-mail": "email",
    "u": "you",
    "ur": "your",
    "wanna": "want to",
    "id": "i'd",
    "im": "i'm",
    "numbr": "number",
    "nmber": "number",
    "no.": "number",
    "emial": "email",
    "adress": "address",
}

# Who a visitor asks for. "staff", "the council" and "the union" are left out on purpose:
# "talk to our staff about TUPE" is a question about consultation, not a request.
_WHO = (
    r"(?:(?:a|an|the|one of (?:your|the)|some|your|any|one of)\s)?"
    r"(?:(?:real|actual|live|proper|human|experienced|specialist|qualified|knowledgeable|named|dedicated|personal)\s)?"
    r"(?:(?:pensions?|procurement|legal|finance|financial|hr|tupe|governance|contracts?|commissioning)\s)?"
    r"(?:person|people|human|humans|human being|somebody|someone|some one|anyone|anybody|adviser|advisers|"
    r"named contact|contact person|specialists|"
    r"expert|experts|specialist|agent|operator|member of (?:the |your )?(?:team|staff|hotline)|"
    r"(?:mutuals |hotline |information service |support )?team(?! leader)|hotline|helpline|"
    r"team member|caseworker|case worker|customer services?|one of you|you guys|"
    r"(?:someone|somebody|anyone|anybody|a person|an adviser) (?:from|on|in|at|with) (?:the |your )?"
    r"(?:team|hotline|service|information service|organisation|organization|side|end))"
)
_BOT = r"(?:bot|robot|chatbot|chat bot|machine|computer|automated \w+|ai|program|algorithm)"
_ME = r"(?:me|us)"
_CALL = r"(?:call|ring|phone|telephone|email|contact|reach|message|text|get back to|get in touch with|speak to|talk to|get in touch)"
_TALK = (
    r"(?:talk(?:ing)?(?: \w+){1,3} through|talk(?:ing)?|speak(?:ing)?|chat(?:ting)?|discuss(?:ing)?(?: \w+){0,4}|"
    r"go(?:ing)? through (?:this|it|that|things|\w+ \w+)|"
    r"have a (?:word|chat|conversation|call|discussion)|ask|check (?:this|it|that)|run (?:this|it|that) past|"
    r"get (?:advice|help|guidance)|get some (?:advice|help)|raise (?:this|it))"
)

PERSON_PATTERNS = [
    # talk / speak / discuss it / ask ... to or with a person, an adviser, the team
    rf"\b{_TALK}\s(?:to|with|from|by)\s{_WHO}\b",
    rf"^(?!.*\b(?:what|which|how)\b.*\bask\b).*\b(?:can|could|may)\s(?:i|we)\s(?:just\s)?ask\s{_WHO}\b",
    rf"\b(?:like|want|need|prefer|rather|wish|able)\s(?:to\s)?ask\s{_WHO}\b",
    rf"\b{_WHO}\s(?:\w+\s){{0,3}}(?:get|be|keep)\sin touch\b",
    rf"\b{_WHO}\s(?:available|free|around|about|there|on hand)\s(?:(?:right\s)?now\s|today\s)?(?:to\s)?(?:speak|talk|chat|help)\b",
    r"\bwho\s(?:can|could)\s(?:i|we)\s(?:talk|speak|chat)\s(?:to|with)\b(?!\s(?:at|in|within)\b)",
    # "who can help us?? this is urgent": help from whoever can give it
    r"\bwho\s(?:can|could|will)\s(?:help|advise|support)\s(?:me|us)\b(?!\s(?:at|in|within|from)\b)",
    # someone from the service to come and speak at a meeting
    rf"\b{_WHO}\s(?:\w+\s){{0,2}}(?:come|visit|attend)\s(?:and\s|to\s)?(?:speak|talk|present|explain|meet)\b",
    rf"\b(?:can|could|would|will)\s{_WHO}\s(?:please\s)?(?:explain|check|look at|look over|review|go through|read|talk (?:me|us) through|walk (?:me|us) through|help (?:me|us) with)\b",
    rf"\b(?:conversation|chat|word|call|discussion|meeting)\swith\s{_WHO}\b",
    # someone / the team: call me, ring me back, email me, get in touch
    rf"\b{_WHO}\s(?:\w+\s){{0,3}}(?:to\s|could\s|can\s|would\s|will\s|who can\s|that can\s|please\s|pls\s|should\s)?"
    rf"(?:please\s)?{_CALL}\s{_ME}\b",
    rf"\b{_CALL}\s{_ME}\s(?:back|please|asap|today|tomorrow|about|on|at|when|re|regarding)\b",
    rf"^\s*(?:please\s)?{_CALL}\s{_ME}\s*[.!?]*\s*$",
    rf"\b(?:call|ring|phone)(?:ed|ing)?\s{_ME}\sback\b",
    r"\b(?:call|ring|phone) back\b(?! (?:the|a) )",
    r"\b(?:give|gave)\s(?:me|us)\sa\s(?:ring|call|bell|buzz)\b",
    r"\b(?:a|get|have|receive|book|arrange|schedule|set up|request)\s(?:a\s)?(?:phone\s)?(?:call|ring|meeting|chat|conversation|appointment|word)\s(?:from|with)\s"
    + _WHO
    + r"\b",
    r"\b(?:i|we)(?:'d like to|'d| would like to| would| want to| need to| like to| hope to)?\s(?:be|get)\s(?:called|rung|phoned|contacted|emailed)(?: back)?\b",
    r"\b(?:can|could|would|will)\s(?:i|we)\s(?:book|arrange|have|get|request)\s(?:a\s)?(?:call|phone call|callback|call back|meeting|chat)\b",
    # a human, not a bot
    rf"\b(?:not|rather than|instead of|than|not just|not with|not to|off|away from|stop|leave)\s(?:talking to\s|chatting to\s|speaking to\s)?(?:a |an |the |this |some |your )?{_BOT}\b",
    r"\b(?:real|actual|live|proper)\s(?:person|human|people|adviser|human being|agent|team|voice)\b",
    r"\bhuman\s(?:being|help|adviser|contact|support|please|agent|interaction|answer|response|expert|to)\b",
    rf"^\s*(?:(?:i\s)?(?:want|need|would like|i'd like|can i have|get me)\s)?{_WHO}\s*(?:please|now|asap)?\s*[.!?]*\s*$",
    # put me through, pass me to, transfer me, connect me, escalate
    rf"\b(?:put|pass|transfer|connect|refer|hand|send|forward|escalate|redirect|move)(?:ed|ing)?\s(?:me|us|this|my (?:query|question|enquiry|case|details)|it)"
    rf"(?:\s(?:on|over|up|through|back|from (?:the |this |a )?{_BOT}))?(?:\s(?:to|through to|with|onto|on to))?\s{_WHO}\b",
    r"\bescalate\s(?:this|it|my (?:query|question|enquiry|case))\b",
    # I need / want / would rather have a person, an adviser, someone to talk to
    rf"\b(?:need|want|like|prefer|rather|wish|hoping|hope|looking for|after|get|give|have|want to have)\s(?:me\s|us\s)?{_WHO}\s(?:to\s|please\b|now\b|today\b|asap\b|on the phone\b|on the line\b|here\b)",
    r"\b(?:need|want|like|prefer|rather|wish|hoping|hope|get|give|have)\s(?:me\s|us\s)?(?:(?:a|an|some|real|proper)\s)?(?:(?:real|actual|proper|named|dedicated)\s)?(?:human|person|adviser|human being|expert|agent)\b(?!\s(?:resources|rights|centred|error))",
    r"\b(?:human|person|adviser|advisers|team)(?:'s)?\s(?:help|advice|input|support|guidance|eyes)\b",
    rf"\b(?:is there|are there|have you got|do you have|got)\s{_WHO}\s(?:i|we)\s(?:can|could)\s(?:talk|speak|chat|ask|discuss|call|phone|email|contact)",
    rf"\b{_WHO}\s(?:i|we|she|he|they|my \w+|our \w+)\s(?:can|could)\s(?:actually\s|just\s|really\s)?(?:talk|speak|chat|discuss|ask|call|ring|phone|email|work with)\b",
    # "I'd like a named contact and a call please"
    r"\b(?:like|want|need|have|get|request|arrange)\s(?:a\s)?(?:phone\s)?(?:call|callback|call back)\s(?:please|asap|today|tomorrow|back)\b",
    r"\b(?:and|with)\sa\s(?:phone\s)?call\s(?:please|asap)\b",
    r"\bone to one\s(?:advice|help|support|conversation|chat|call)\b",
    # leave a message for the team, phone someone
    rf"\b(?:leave|send|pass)\s(?:a |my )?(?:message|note|details|number|query|question)\s(?:for|to|with)\s{_WHO}\b",
    rf"\bcan\s(?:i|we)\s(?:phone|call|ring|email|contact|reach|get hold of|speak with)\s{_WHO}\b",
    rf"\b(?:get|put)\s(?:me|us)\sin touch with\s{_WHO}\b",
    rf"\b(?:contact|get hold of)\s{_WHO}\s(?:for me|directly|now|today)\b",
]

# Questions about the spin-out that mention people are not requests for the hotline:
# "who should I talk to at the council?", "do we need to consult the staff?",
# "are you a real person?" (the bot says what it is, and offers the team).
NOT_A_REQUEST = [
    r"\b(?:who|which \w+)\s(?:should|do|would|must|shall)\s(?:i|we|they|staff)\s(?:talk|speak|go|turn|contact|ask|approach)\b",
    r"\bwho\s(?:can|could)\s(?:i|we|they|staff)\s(?:go|turn|contact|ask|approach)\b|\bwho\s(?:can|could)\s(?:i|we)\s(?:talk|speak)\s(?:to|with)\s(?:at|in|within)\b",
    # "I don't want the hotline to contact me after all": a request taken back.
    r"\b(?:don't|do not|dont|no longer|not|never)\s(?:want|need|require|wish)\s(?:a |an |the |that |my |to be |anyone to |anybody to |someone to |somebody to |you to |the hotline to |the team to |any )?(?:call|calls|ring|contact|callback|call back|phone|speak|talk|chat|hotline|person|adviser|human|someone|somebody|anyone)\b|\b(?:cancel|changed my mind|don't bother|dont bother)\b|\bforget\s(?:about\s)?(?:the|my|that)\s(?:call|request|ring)|\bstop\b(?!\s(?:the |this |talking to (?:the |a )?)?(?:bot|chatbot|robot|machine))",
    r"\b(?:should|do|must|would|will)\s(?:i|we|they)\s(?:need to |have to )?(?:talk|speak|consult|ask)\s(?:to|with)?\s?(?:a |an |the |our |my )?(?:solicitor|lawyer|union|staff|council|commissioner|accountant|trust|board|pension|employees|workforce|members|hr)",
    r"\b(?:staff|employees|workers|members|union|commissioners?|colleagues|team)\b\s(?:want|need|would like|wish|prefer|have)\sto\s(?:talk|speak)\b",
    r"^\s*(?:are|r)\s(?:you|u)\s(?:a\s|an\s)?(?:real\s|actual\s|live\s)*(?:person|human|bot|robot|machine|computer|adviser)\b[^.?!]*[?.!]?\s*$",
    r"^\s*(?:is|am)\s(?:this|that|it|a|i)\s(?:\w+\s){0,4}(?:real|actual|live)\s(?:\w+\s)?(?:person|human|adviser|people)\b(?!\s(?:i|we)\s(?:can|could))[^.?!]*\??\s*$",
    r"^\s*is\s(?:this|it)\s(?:a\s)?(?:live chat|chat)\swith\s(?:a\s)?(?:real\s)?(?:person|human)\b[^.?!]*[?.!]?\s*$",
    r"\bam i (?:talking|speaking|chatting) to\b[^.?!]*(?:bot|person|human|robot|computer|machine)\s*\??\s*$",
]

_PERSON_RE = [re.compile(p) for p in PERSON_PATTERNS]
_NOT_REQUEST_RE = [re.compile(p) for p in NOT_A_REQUEST]

_WORDS = re.compile(r"[a-z0-9']+")
# Questions about the hotline's own contact routes are answered from the FAQ store:
# "what is the hotline number", "is there an email address I can use".
_ABOUT_CONTACT_ROUTES = re.compile(
    r"\b(?:what(?:'s| is| are)?|whats|is there|are there|have you got|do you have|give me|where (?:can|do) i find|how do i)\b"
    r"[^.?!]{0,40}\b(?:number|email address|address|phone number|contact details|opening hours|hours|twitter|website)\b"
)
_ASKS_TO_BE_CONTACTED = re.compile(rf"\b{_CALL}\s{_ME}\b|\bcall back\b|\b(?:talk|speak)\s(?:to|with)\s{_WHO}")


def fold(text: str) -> str:
    """Lower case, ASCII, straight apostrophes, common misspellings mended, single spaces."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("`", "'")
    words = re.sub(r"([.,!?;:()])", r" \1 ", text).split()
    return re.sub(r" ([.,!?;:)])", r"\1", " ".join(_TYPOS.get(w, w) for w in words)).replace("( ", "(")


def _sentences(folded: str) -> list[str]:
    parts = re.split(r"(?<=[.?!;])\s+|\s+-+\s+|\s*\n\s*|,\s(?:but|and|so)\s", folded)
    return [p.strip() for p in parts if p.strip()]


def person_request(text: str) -> str | None:
    """The words in `text` that ask for a person, or None."""
    folded = fold(text)
    if not folded:
        return None
    for sentence in _sentences(folded):
        if any(p.search(sentence) for p in _NOT_REQUEST_RE):
            continue
        for pattern in _PERSON_RE:
            found = pattern.search(sentence)
            if found:
                if _ABOUT_CONTACT_ROUTES.search(sentence) and not _ASKS_TO_BE_CONTACTED.search(sentence):
                    break
                return found.group(0).strip()
    return None


def word_count(text: str) -> int:
    return len(_WORDS.findall(fold(text)))


_QUESTION_WORD = re.compile(
    r"\b(?:what|how|why|when|who|where|which|is there|are there|can|could|do|does|did|will|would|should|is|are)\b"
)


def is_question_not_reply(text: str) -> bool:
    """True for "I'd rather not phone, is there an email address?": more than a yes or no."""
    folded = fold(text)
    words = word_count(folded)
    if words < 5:
        return False
    if "?" in folded:
        return True
    return words >= 8 and bool(_QUESTION_WORD.search(folded))


# "What is Andrew Burnell's email?": an ambassador's personal contact details, which the
# assistant never gives (the hotline team introduces people instead).
_CONTACT_DETAILS = re.compile(
    r"\b(?:e-?mail(?: address)?|mobile(?: number| phone)?|(?:phone|telephone|direct|contact) (?:number|line|details)|"
    r"number|contact details|(?:home |office |postal )?address|linkedin|whatsapp|personal details)\b|"
    r"\bwhere\s(?:does|do|did)\s[^.?!]{1,40}\slive\b"
)
_AMBASSADOR_WORDS = re.compile(r"\b(?:ambassador|ambassadors|mentor|mentors|his|her)\b|\bthe ambassador'?s?\b")
_ASKING_FOR = re.compile(
    r"\b(?:can|could|may|would) (?:i|we|you) (?:have|get|send|give|share|pass|find|email|ring|call)|"
    r"\b(?:what(?:'s| is| are)?|whats|where(?:'s| is)?|do you have|have you got|is there|give me|send me|"
    r"share|need|want|looking for|after|got|please)\b|"
    r"^\W*(?:(?:the|his|her|their)\s)?(?:personal\s|direct\s|private\s)?(?:e-?mail|mobile|number|phone|address|contact details)\s(?:for|of)\b|"
    r"\bwhere\s(?:does|do|did)\s[^.?!]{1,40}\slive\b"
)


def ambassador_contact_request(text: str, names_an_ambassador: bool) -> bool:
    """True when the visitor asks for an ambassador's own email, phone or address."""
    folded = fold(text)
    if not _CONTACT_DETAILS.search(folded) or not _ASKING_FOR.search(folded):
        return False
    return names_an_ambassador or bool(_AMBASSADOR_WORDS.search(folded))


# "Is there an ambassador in Stockport?", "an ambassador with retail experience": a search of
# the directory, even in a long message. Questions about the programme itself ("what do
# ambassadors do?", "do they charge?") are answered from the FAQ store.
_AMBASSADOR = r"(?:mutuals\s)?(?:ambassadors?|mentors?)"
_WANTS_AMBASSADOR = [
    re.compile(
        rf"\b(?:is there|are there|is any|are any|any|do you have|have you got|got|find|finding|looking for|look for|"
        rf"need|want|like|after|recommend|suggest|match|search|show|list)\b[^.?!]{{0,40}}\b{_AMBASSADOR}\b"
    ),
    re.compile(
        rf"\b{_AMBASSADOR}\s(?:in|for|near|from|with|who|whos|who's|that|based|covering|around|locally|close|nearby|"
        rf"(?:who|that)\s(?:has|have|had|is|was|knows|understands|works|worked))\b"
    ),
]
_ABOUT_THE_PROGRAMME = re.compile(
    rf"\b(?:what|how|why|when|who)\s(?:do|does|did|are|were|is|was|can|could|should|much|many)\s(?:the\s)?{_AMBASSADOR}\s"
    r"(?:do|charge|cost|get|work|help|announced|named|paid|offer|for)\b|\b(?:do|are|did)\s(?:the\s)?(?:mutuals\s)?ambassadors\s"
    r"(?:charge|cost|get paid|work for free|need paying)|\bwhat\s(?:is|are)\s(?:a\s|the\s)?(?:mutuals\s)?ambassadors?\b|"
    r"\bhow\s(?:do|can)\s(?:i|we)\s(?:contact|reach|get in touch with|get an introduction to)\b|"
    r"\bwhen\s(?:were|was|did)\b"
)


def ambassador_request(text: str) -> bool:
    """True when the visitor asks the directory for an ambassador (or a mentor)."""
    folded = fold(text)
    if _ABOUT_THE_PROGRAMME.search(folded):
        return False
    return any(p.search(folded) for p in _WANTS_AMBASSADOR)


_INTRODUCE = re.compile(
    r"\b(?:connect|introduce|intro|put)\s(?:me|us)\s(?:in touch\s|in contact\s)?(?:with|to)\b|"
    r"\b(?:an\s)?(?:introduction|intro)\s(?:to|with)\b|"
    r"\b(?:arrange|set up|organise|organize|fix up)\s(?:for\s(?:me|us)\sto\s|a\s(?:meeting|call|chat)\swith\b|(?:me|us)\sa\s(?:meeting|call|chat)\swith\b)"
    r"|\b(?:arrange|set up|organise|organize)\s(?:for\s(?:me|us)\sto\s)?(?:meet|speak to|talk to|speak with|talk with)\b"
)


def introduction_request(text: str) -> bool:
    """ "Can you connect me with Andrew Burnell?" (with a name the entity extractor found)."""
    return bool(_INTRODUCE.search(fold(text)))
