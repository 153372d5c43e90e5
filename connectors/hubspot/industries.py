"""HubSpot's company ``industry`` enumeration -> the canonical industry names of the models.

HubSpot stores industry as an enumeration of codes (``COMPUTER_SOFTWARE``, ...), not free
text; the shipped models match names such as ``Technology``. The table is documented
here and extended or overridden by the connector option ``industry_map``.
"""

from __future__ import annotations

#: HubSpot company ``industry`` codes -> the canonical industry names the models use.
#: Config ``industry_map`` extends and overrides it; an unknown code becomes its words
#: ("OIL_ENERGY" -> "Oil Energy").
INDUSTRY_TABLE: dict[str, str] = {
    **dict.fromkeys(
        (
            "COMPUTER_SOFTWARE",
            "INFORMATION_TECHNOLOGY_AND_SERVICES",
            "INTERNET",
            "COMPUTER_NETWORKING",
            "COMPUTER_HARDWARE",
            "COMPUTER_NETWORK_SECURITY",
            "COMPUTER_GAMES",
            "SEMICONDUCTORS",
            "WIRELESS",
        ),
        "Technology",
    ),
    **dict.fromkeys(
        (
            "FINANCIAL_SERVICES",
            "BANKING",
            "INSURANCE",
            "INVESTMENT_BANKING",
            "INVESTMENT_MANAGEMENT",
            "ACCOUNTING",
            "CAPITAL_MARKETS",
            "VENTURE_CAPITAL_PRIVATE_EQUITY",
        ),
        "Financial Services",
    ),
    **dict.fromkeys(
        (
            "HOSPITAL_HEALTH_CARE",
            "PHARMACEUTICALS",
            "MEDICAL_DEVICES",
            "MEDICAL_PRACTICE",
            "BIOTECHNOLOGY",
            "HEALTH_WELLNESS_AND_FITNESS",
            "MENTAL_HEALTH_CARE",
        ),
        "Healthcare",
    ),
    **dict.fromkeys(
        (
            "MACHINERY",
            "INDUSTRIAL_AUTOMATION",
            "ELECTRICAL_ELECTRONIC_MANUFACTURING",
            "MECHANICAL_OR_INDUSTRIAL_ENGINEERING",
            "PLASTICS",
            "CHEMICALS",
        ),
        "Manufacturing",
    ),
    **dict.fromkeys(("RETAIL", "APPAREL_FASHION", "CONSUMER_GOODS", "SUPERMARKETS"), "Retail"),
    **dict.fromkeys(
        ("EDUCATION_MANAGEMENT", "HIGHER_EDUCATION", "PRIMARY_SECONDARY_EDUCATION", "E_LEARNING"),
        "Education",
    ),
    **dict.fromkeys(("AUTOMOTIVE",), "Automotive"),
    **dict.fromkeys(("OIL_ENERGY", "RENEWABLES_ENVIRONMENT", "UTILITIES"), "Energy"),
    **dict.fromkeys(
        ("MEDIA_PRODUCTION", "PUBLISHING", "BROADCAST_MEDIA", "ONLINE_MEDIA", "ENTERTAINMENT"),
        "Media",
    ),
    **dict.fromkeys(
        ("GOVERNMENT_ADMINISTRATION", "PUBLIC_POLICY", "MILITARY", "LAW_ENFORCEMENT"),
        "Government",
    ),
    **dict.fromkeys(
        (
            "LOGISTICS_AND_SUPPLY_CHAIN",
            "TRANSPORTATION_TRUCKING_RAILROAD",
            "PACKAGE_FREIGHT_DELIVERY",
            "WAREHOUSING",
        ),
        "Logistics",
    ),
    **dict.fromkeys(
        (
            "MANAGEMENT_CONSULTING",
            "PROFESSIONAL_TRAINING_COACHING",
            "LEGAL_SERVICES",
            "STAFFING_AND_RECRUITING",
        ),
        "Professional Services",
    ),
    **dict.fromkeys(("TELECOMMUNICATIONS",), "Telecommunications"),
}
