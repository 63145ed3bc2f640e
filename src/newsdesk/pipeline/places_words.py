"""Word lists and fixed tables of the place finder (:mod:`newsdesk.pipeline.places`).

Common English words that are also city names, feature words around a place's name,
country aliases, the UK's nations, first-level regions of some large countries, and the
names of the US capital.
"""

from __future__ import annotations

from newsdesk.pipeline.entities import words

# Common English words that are also the name of a city in the gazetteer: a lone such word
# opening a sentence is not taken for the city. Built from a dictionary's lower-case words
# and their frequency, pruned by hand of those mostly meaning the place in news text.
_COMMON_TEXT = """
    acre act add ado agar aha airport alley alliance aloha along amen annex antelope anthem apex
    ark as ask badger bag bake bale ban bane banning bar barking basic bat bath bay bear beg bell
    bend bender best bid bin boa bog bone boo boom borne bow boy bra brad bray bred brick bud bug
    bun bury bus bush but butte butterfly buy bye cab cad caller can canning cap centennial
    central centurion chi chin chino clay cocoa commonwealth conception confederation converse
    coo cordon corona cow crystal cu cue cum cup cypress dab dad dam dandy date day deal deb
    defiance deli delta den die dis divas do dole dome drug dual dub due duh dyer ea eagle ebb ego
    elf enterprise erode eta eureka evergreen far fat fate federal fleet flora fog for forest
    fountain gap garland garner gas gay genes gent goes gold golden google got green grenade
    griffin groves guru gym hail hale ham hang hare harrow has hawthorn hays hem her hickory
    highland hillside hippo ho hog holiday homestead hook horn hub hue humble hurricane imp
    imperial inc ind independence inn int jab jag jam jar jasper jaw jog kale ken keystone kilo kin
    la lad lag lama lander lap laurel lax lay led lei lend lens liberal liberty lice lids lime limo
    linden lion lit log logos lone luck mad magenta male man manage manga mango manly manning mar
    march mare marina marks martin mascara mascot mason mat med media meg mentor meridian mes mesa
    metro mid midland midway mil mine mission mite mob mobile mod moss most mow much mustang nag
    name nap newton nice nix no normal oak ode of officer ogre okay opportunity ops oral orange orb
    orchards ore overland ox pa pace pad pal panda pap par paradise paramount parole part pat
    pearl pee peer peg pen per perm pest pet pets pew pin pinto pit pita plantation plaque plum
    plunge pol police pop portage posse pristine prosper pry pub pueblo puma pun pus queens
    reading republic reservoir rest retreat revel revere rich rig rim riverside rm rogers roles
    roman roses rouge rouse rue rugby run ruse rye sac saga sake sale salt samba same sandy sap
    sari sat savage say sea seaside sedan semi shaping she shoreline shy sim sin sine sip ski
    slough sod sol solo soul sour sox sparks split spoken spring springs spy stains stat stow sub
    sue sues sulphur summit sumo sunrise sunset superior surprise swords tam tame tan tango tank
    tap tape tar tbs tee temple tequila terminus terrace the thorn thy time ting tip tire tome top
    tor torn torrent tour tours tow toy trident tub tucker tug tunes turn union university upland
    uptown van var victor vie vii vine vineyard vista walker walnut wan ware warren wary was we
    wedding weir westerly wheeling woodland woodlands ye yea yen young zoo
"""
COMMON_WORDS = words(_COMMON_TEXT)
FEATURE_AFTER = words(
    """River Lake Island Islands Bay Sea Ocean Gulf Valley Street Road Avenue Square Bridge
    Airport Station Park Stadium Arena County Province Region Oblast District Coast Canal
    Strait Peninsula Desert Forest Beach Harbour Harbor Hall Tower Palace Castle Gardens
    Highway Motorway Mountains Hills Heights Falls Canyon Creek Basin Delta Plains Plateau
    Range Reservoir Dam Zoo Mall Prison Cathedral City United Rovers Athletic Wanderers"""
)
FEATURE_BEFORE = words("River Lake Mount Mt. Gulf Bay Isle Sea Cape")
COUNTRY_ALIASES = {
    "us": "US", "u.s.": "US", "usa": "US", "u.s.a.": "US", "america": "US",
    "united states of america": "US", "uk": "GB", "u.k.": "GB", "britain": "GB",
    "great britain": "GB", "russian federation": "RU", "czech republic": "CZ",
    "holland": "NL", "cote d'ivoire": "CI", "dr congo": "CD", "burma": "MM",
    "east timor": "TL", "timor-leste": "TL", "vatican city": "VA", "uae": "AE",
    "palestine": "PS", "macedonia": "MK", "swaziland": "SZ", "cape verde": "CV",
    "turkiye": "TR", "bosnia": "BA",
}  # fmt: skip
UK_NATIONS = (  # (name, geonameid, capital)
    ("England", 6269131, "London"),
    ("Scotland", 2638360, "Edinburgh"),
    ("Wales", 2634895, "Cardiff"),
    ("Northern Ireland", 2641364, "Belfast"),
)
# First-level regions of some large countries. Not reported (the gazetteer has no such
# places); a region competes with cities of its name ("Ontario" is no Californian city in
# a story about Toronto) and counts as evidence for its country ("Bavaria" for Munich).
_REGION_TEXT = """
    CA: Ontario, Quebec, British Columbia, Alberta, Manitoba, Saskatchewan, Nova Scotia,
        New Brunswick, Newfoundland and Labrador, Newfoundland, Prince Edward Island, Yukon,
        Nunavut, Northwest Territories
    AU: New South Wales, Victoria, Queensland, Western Australia, South Australia, Tasmania,
        Northern Territory, Australian Capital Territory
    IN: Andhra Pradesh, Arunachal Pradesh, Assam, Bihar, Chhattisgarh, Goa, Gujarat, Haryana,
        Himachal Pradesh, Jharkhand, Karnataka, Kerala, Madhya Pradesh, Maharashtra, Manipur,
        Meghalaya, Mizoram, Nagaland, Odisha, Rajasthan, Sikkim, Tamil Nadu, Telangana,
        Tripura, Uttar Pradesh, Uttarakhand, West Bengal
    DE: Bavaria, Baden-Württemberg, Saxony, Lower Saxony, Hesse, Thuringia,
        North Rhine-Westphalia, Rhineland-Palatinate, Saarland, Schleswig-Holstein,
        Mecklenburg-Vorpommern, Saxony-Anhalt
    CN: Guangdong, Sichuan, Hubei, Hunan, Henan, Hebei, Shandong, Jiangsu, Zhejiang, Fujian,
        Yunnan, Guizhou, Shaanxi, Shanxi, Gansu, Qinghai, Jiangxi, Anhui, Liaoning,
        Heilongjiang, Hainan, Xinjiang, Tibet, Inner Mongolia, Guangxi, Ningxia
    ES: Catalonia, Andalusia, Galicia, Basque Country, Castile and León, Aragon, Navarre,
        Asturias, Cantabria, Extremadura, Balearic Islands, Canary Islands, Castilla-La Mancha
    IT: Lombardy, Tuscany, Sicily, Sardinia, Piedmont, Veneto, Campania, Lazio, Apulia,
        Puglia, Calabria, Liguria, Emilia-Romagna, Umbria, Abruzzo, Friuli Venezia Giulia,
        Trentino, South Tyrol
    FR: Brittany, Normandy, Provence, Occitania, Burgundy, Alsace, Corsica, Île-de-France,
        Auvergne-Rhône-Alpes, Hauts-de-France, Grand Est, Nouvelle-Aquitaine
    MX: Sonora, Jalisco, Michoacán, Guerrero, Sinaloa, Tamaulipas, Baja California, Yucatán,
        Chiapas, Nuevo León, Coahuila
    BR: Amazonas, Bahia, Minas Gerais, Rio Grande do Sul, Paraná, Santa Catarina, Pernambuco,
        Ceará, Goiás
    UA: Crimea, Donbas
    RU: Siberia, Chechnya, Dagestan
    PS: West Bank, Gaza Strip
"""
# Continents and world regions: never a place of the gazetteer ("Asia" is also a town).
CONTINENTS = words(
    "asia europe africa america americas oceania antarctica arctic eurasia scandinavia "
    "balkans caribbean"
)
CAPITAL_KEYS = ("washington", "washington dc", "washington d.c.", "d.c.")
