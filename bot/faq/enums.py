import enum


class SearchDecision(str, enum.Enum):
    answer = "answer"  # confident: answer with the top entry
    suggest = "suggest"  # unsure: offer the best titles as "did you mean"
    none = "none"  # nothing close enough


class Topic(str, enum.Enum):
    about_mutuals = "about-mutuals"
    legal_forms = "legal-forms"
    spin_out_journey = "spin-out-journey"
    contracts_procurement = "contracts-procurement"
    tupe = "tupe"
    pensions = "pensions"
    funding_support = "funding-support"
    nhs_routes = "nhs-routes"
    right_to_challenge = "right-to-challenge"
    sector_size = "sector-size"
    examples = "examples"
    information_service = "information-service"
    ambassadors = "ambassadors"
