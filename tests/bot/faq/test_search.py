from bot.faq.search import MAX_SCORE, Document, FaqIndex
from bot.faq.text import canonical_words, stems

DOCS = [
    Document(
        "tupe", ("Does TUPE apply when staff transfer?", "transfer of undertakings rules"), "TUPE protects staff."
    ),
    Document("pensions", ("Will I keep my pension?", "what happens to my pension scheme"), "New Fair Deal."),
    Document(
        "legal-forms", ("Which legal forms can a mutual use?", "what organisation types are there"), "CIC, co-op."
    ),
    Document("ambassadors", ("Who are the Mutuals Ambassadors?", "is there a mentor I can talk to"), "Leaders."),
]


def test_ranks_the_matching_entry_first():
    index = FaqIndex(DOCS)
    assert index.search("does tupe apply to us")[0].entry_id == "tupe"


def test_tolerates_typos():
    index = FaqIndex(DOCS)
    assert index.search("wil i kep my pensoin")[0].entry_id == "pensions"


def test_plural_and_singular_meet():
    assert stems("pensions") == stems("pension")
    index = FaqIndex(DOCS)
    assert index.search("mutuals ambassador")[0].entry_id == "ambassadors"


def test_american_spelling_meets_british():
    assert canonical_words("organization") == canonical_words("organisation")
    assert canonical_words("organize") == canonical_words("organise")
    index = FaqIndex(DOCS)
    assert index.search("what types of organization")[0].entry_id == "legal-forms"


def test_synonyms_meet():
    assert canonical_words("spin-out") == canonical_words("spinout") == canonical_words("spin off")
    index = FaqIndex(DOCS)
    assert index.search("can I get mentoring")[0].entry_id == "ambassadors"


def test_scores_are_ordered_and_bounded():
    results = FaqIndex(DOCS).search("pension scheme transfer", limit=4)
    scores = [c.score for c in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= MAX_SCORE for s in scores)
    assert scores[0] > scores[-1]


def test_nothing_for_empty_or_unknown_words():
    index = FaqIndex(DOCS)
    assert index.search("   ") == []
    assert index.search("zzzz qqqq") == [] or index.search("zzzz qqqq")[0].score < 0.2


def test_empty_index_returns_nothing():
    assert FaqIndex([]).search("pension") == []


def test_uncovered_weighs_the_rare_words_an_entry_never_mentions():
    index = FaqIndex(
        [
            Document("count", ("How many public service mutuals are there?",), "More than 130 in 2019."),
            Document("tupe", ("Does TUPE apply?",), "TUPE is likely to apply."),
        ]
    )
    assert index.uncovered("how many public service mutuals are there", "count") == 0.0
    assert index.uncovered("how many public service mutuals are there in Wales", "count") > 0.2


def test_a_long_message_is_also_searched_by_its_question():
    index = FaqIndex(
        [
            Document("pension", ("Will I keep my NHS pension?",)),
            Document("library", ("Can a library service spin out?", "library staff team council")),
        ]
    )
    story = (
        "I have worked in the council library service for twenty years and our library staff team "
        "is worried about the council plans. Will I keep my NHS pension?"
    )
    assert index.search(story)[0].entry_id == "pension"
