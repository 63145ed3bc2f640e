"""Word lists of the people and organisations finder (:mod:`newsdesk.pipeline.names`).

Titles, role words, speech verbs, organisation head words and cues, known institutions,
particles of names, acronyms that are no organisation, and words that end no name.
"""

from __future__ import annotations

from newsdesk.pipeline.entities import DEMONYM_COUNTRIES, words

TITLES = words(
    """President President-elect Vice Prime Minister Chancellor Secretary Secretary-General
    General Gen. Governor Gov. Lt. Senator Sen. Representative Rep. Congressman Congresswoman
    Mayor Dr. Dr Mr. Mr Mrs. Mrs Ms. Ms Judge Justice Speaker King Queen Prince Princess Pope
    Sheikh Emir Ambassador Commissioner Director Director-General Chairman Chairwoman Chair
    Chief Councillor Councilman Councilwoman Councilor Professor Prof. Coach Captain Capt.
    Colonel Col. Lieutenant Sergeant Sgt. Admiral Adm. Major Maj. Officer Detective Inspector
    Superintendent Supt. Sheriff Deputy Attorney Premier Leader Bishop Archbishop Cardinal
    Rabbi Imam Rev. Reverend Sir Dame Lord Lady Baroness Commander Cmdr. Marshal Spokesman
    Spokeswoman Spokesperson Treasurer Comptroller Prosecutor Magistrate Envoy Executive
    Founder Senator-elect Minister-President Pres. Atty."""
)
SOLO_TITLES = words(
    """President President-elect Governor Gov. Senator Sen. Representative Rep. Congressman
    Congresswoman Mayor Dr. Dr Mr. Mr Mrs. Mrs Ms. Ms Judge Chancellor Minister Secretary
    Speaker King Queen Prince Princess Pope Sheikh Emir Professor Prof. Councillor Coach
    Premier Rabbi Imam Bishop Archbishop Cardinal Sir Dame Lord Lady"""
)  # titles that may stand before a surname alone: "President Biden", "Mr. Smith"
HONORIFICS = words("Mr. Mr Mrs. Mrs Ms. Ms Dr. Dr Gov. Sen. Rep. Prof. Sir Dame")
ROLE_WORDS = words(
    """spokesman spokeswoman spokesperson minister president governor mayor senator leader
    counterpart organiser organizer deputy
    chief executive director economist analyst professor lawyer attorney activist coach
    officer official chairman chairwoman chair founder co-founder author researcher scientist
    doctor nurse teacher owner manager commander general ambassador envoy secretary adviser
    advisor judge prosecutor candidate lawmaker councillor councilor legislator representative
    head boss captain striker midfielder defender goalkeeper singer actor actress writer
    journalist reporter editor photographer farmer worker student resident survivor witness
    victim mother father son daughter wife husband brother sister grandmother grandfather
    neighbour neighbor colleague premier chancellor negotiator strategist historian expert
    engineer pilot driver diplomat deputy sheriff detective inspector superintendent
    administrator organiser organizer campaigner protester veteran entrepreneur investor
    banker trader consultant architect designer artist musician presenter host anchor
    correspondent columnist commentator president-elect director-general governor-elect
    quarterback pitcher forward winger batsman bowler jockey rider cyclist runner swimmer
    boxer champion skipper"""
)
SPEECH_VERBS = words(
    """said says told tells added adds wrote writes argued argues explained noted stated
    asked warned warns urged urges insisted acknowledged claimed denied admitted announced
    confirmed declined replied recalled estimated predicted testified posted tweeted
    responded concluded cautioned"""
)
ORG_HEADS = words(
    """Inc Inc. Corp Corp. Corporation Co. Company Ltd Ltd. LLC plc PLC AG ASA NV GmbH Group
    Holdings Partners Capital Ventures Bank Bancorp Airlines Airways Railways Rail Ferries
    Motors Technologies Technology Systems Industries Pharmaceuticals Pharma Semiconductor
    Semiconductors Energy Foods Media Entertainment Communications Telecom Insurance Shipping
    Logistics Mining Petroleum Steel Electric Chemicals Labs Laboratories Software Networks
    Studios Brands Stores Enterprises Trust Fund Foundation Institute University College
    School Academy Hospital Clinic Church Party Department Ministry Agency Council Committee
    Commission Court Circuit Tribunal Authority Association Federation Union Organisation
    Government Ratings FM
    Organization Office Bureau Service Board Administration Police Army Navy Force Guard Corps
    Parliament Senate Congress Assembly Cabinet Times Post Journal Herald Tribune Gazette
    News Press Telegraph Observer Chronicle Magazine Network Broadcasting Television Radio
    Exchange Reserve Club FC League Society Alliance Coalition Movement Front Centre Center
    Centers Museum Library Secretariat Directorate Command Cooperative Chamber House Watch
    International"""
)
HEADS_WITH_COMPLEMENT = words(
    """Ministry Department University College School Institute Bank Court Council Committee
    Commission Office Agency Authority Association Federation Union Organisation Organization
    Centers Center Centre Board Bureau Service Fund Foundation Church Academy Society League
    Chamber Corporation Party Assembly House Administration Tribunal Museum Library Alliance
    Coalition Movement Front Army Navy Corps Police Directorate Secretariat Command"""
)
NEEDS_PREFIX = words(
    "House Times Post Journal News Press Force Guard Group Reserve Watch International Circuit"
    " Government FM"
)
COMPLEMENT_LINKS = frozenset({"of", "for", "on", "de"})
KNOWN_ORGS = words(
    """Congress Senate Parliament Bundestag Knesset Duma Kremlin Pentagon Interpol Europol
    Reuters Bloomberg Xinhua Interfax Yonhap Kyodo Hamas Hezbollah Taliban Politburo Nasdaq"""
) | frozenset({"White House", "Associated Press", "Al Jazeera", "Red Cross", "Red Crescent"})
COMPOUND_ENDINGS = ("bank",)  # one-word banks: Bundesbank, Rabobank
THE_ONLY_ORGS = words("House Commons Lords")  # an institution only as "the House"
ORG_CUES = words(
    """company firm group carmaker automaker retailer airline bank lender insurer startup
    start-up giant maker manufacturer operator broadcaster newspaper outlet agency regulator
    chipmaker planemaker supplier producer developer conglomerate utility brewer club team
    charity union party network publisher miner watchdog distributor platform provider
    subsidiary rival journal magazine website tabloid daily service site body station
    channel exchange monitor"""
)
SHARE_WORDS = words("shares stake stock")
STAFF_WORDS = words(
    """analysts economists researchers scientists engineers executives officials workers
    employees staff lawyers traders strategists investors managers doctors experts pilots
    crews"""
)
BEFORE_CUES = words("said says added wrote according")
PARTICLES = words("de da do dos das del della di du van von der den la le al bin ibn el ter ten")
ACRONYM_WORDS = words("WHO")  # acronyms spelt like a function word: the World Health Organization
ACRONYM_STOP = words(
    """US USA UK UAE CEO CFO COO CTO CIO TV GDP AI DNA RNA HIV AIDS COVID SARS PM AM OK ID
    IT PR VIP FAQ PDF URL USB GPS ATM IPO ETF CPI PPI LGBT LGBTQ MP VAT EV SUV NFT UFO DIY
    ASAP FYI TBA ICU ER BC AD BCE CE UTC GMT EST EDT PST PDT CST CDT BST CET CEST KM MPH KG
    HQ IQ PC AC DC NY LA SF II III IV VI VII VIII IX XI XII XX AL AK AZ AR CA CO CT DE FL GA
    HI IL IN IA KS KY ME MD MA MI MN MS MO MT NE NV NH NJ NM NC ND OH OR PA RI SC SD TN TX UT
    VT VA WA WV WI WY"""
)
# Country codes that stand in an organisation's name before its head: "US Forest Service".
COUNTRY_PREFIXES = words("US U.S. UK U.K. EU")
# Nationality words in other languages that open company names: "Deutsche Bahn".
FOREIGN_DEMONYMS = words("Deutsche Deutscher Deutsches Française Français Nederlandse Svenska")
DEMONYMS = frozenset(DEMONYM_COUNTRIES) | words(
    "European African Asian Arab Republican Democrat Democratic Conservative Liberal"
)
NOT_NAME_WORDS = words(
    """River Lake Mount Island Islands Bay Sea Ocean Gulf Valley Street Road Avenue Square
    Bridge Airport Station Park Stadium Arena County Province Region Oblast District Coast
    Canal Strait Peninsula Desert Forest Beach Harbour Harbor Hall Tower Palace Castle Garden
    Gardens Highway Motorway State City Day Week Year Cup Games Olympics Prize Award Act Bill
    Law Treaty Agreement Accord Plan War Crisis Summit Festival Championship Open Series God"""
)
