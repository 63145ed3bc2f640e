"""Lines that leak from page furniture into article text: teasers, credits, prompts.

Each rule looks at one line (a paragraph of the extracted text) on its own and only
fires on short lines, so running prose that merely mentions a newsletter or a photo
is kept. One rule reads on: the headlines listed under a teaser label ("Related
stories", "Auch interessant:") leave with the label. The phrase lists cover the
languages the site follows most (en, de, fr, es, it, pl, nl, pt); they describe
generic page furniture, never a particular site.
"""

from __future__ import annotations

import re

# "Read more: ...", "Lesen Sie auch: ...", "VEA TAMBIÉN: ..." and other teaser labels.
_TEASER = re.compile(
    r"^\W{0,3}(?:"
    r"read (?:more|also|next)|also read|more (?:on this|from|about|stories)|see also|related"
    r"(?: (?:stories|articles|posts|content|coverage|reading|news))?|recommended(?: for you)?"
    r"|you (?:may|might) (?:also )?(?:like|enjoy|be interested)|further reading|don'?t miss"
    r"|(?:auch|mehr) lesen|lesen sie (?:auch|mehr|hier)(?: die folgenden \w+)?|weiterlesen"
    r"|zum weiterlesen|lea|lee|mire|notas relacionadas|artículos relacionados"
    r"|mehr zum thema|mehr dazu|das könnte sie (?:auch )?interessieren|siehe auch|passend dazu"
    r"|weitere (?:artikel|beiträge|informationen|themen)(?: [\w ]{0,30})?"
    r"|(?:à )?lire (?:aussi|également|la suite)|voir aussi|sur le même sujet"
    r"|(?:lea|vea|lee|mira|ver) (?:también|además)|mira|leer más|lea más|contenido relacionado"
    r"|te puede interesar|noticias relacionadas|leggi anche|potrebbe interessarti"
    r"|czytaj (?:też|także|również|więcej)|zobacz (?:też|także|również)|lees ook|leia também"
    r"|next (?:article|story|post)|previous (?:article|story|post)"
    r"|auch interessant|(?:das )?(?:thema )?könnte (?:dich|sie) (?:auch )?interessieren"
    r"|schon gelesen|mehr themen|top-themen|empfohlene (?:artikel|beiträge)"
    r"|le puede interesar|puedes ver|más sobre|dowiedz się więcej|polecamy"
    r"|(?:ähnliche|verwandte) (?:artikel|beiträge)|(?:articles?|à lire) (?:similaires|connexes)"
    r")\s*(?:[:>»|?]|(?<=\s)[\u2013\u2014-](?=\s|$)|\.{3}|…)",
    re.IGNORECASE,
)
# A label alone on its line ("Related stories", "Weiterlesen", "Advertisement").
_LABEL = re.compile(
    r"^\W{0,3}(?:"
    r"advertisement|advertising|anzeige|werbung|publicité|publicidad|pubblicità|reklama"
    r"|sponsored(?: content)?|sponsored by.*|promoted|share(?: this)?(?: (?:article|story|post))?"
    r"|tweet|print|e-?mail|comments?|kommentare?|subscribe|abonnieren|newsletter|follow us"
    r"|related(?: (?:stories|articles|posts|content|topics|news))?|read more|weiterlesen"
    r"|mehr zum thema|lesen sie auch|contenido relacionado|noticias relacionadas|lire aussi"
    r"|image|bild|photo|foto|image illustrative|bild anzeigen|bild vergrößern|enlarge|zoom"
    r"|tags?|schlagwörter|themen|topics|back to top|nach oben|to top|scroll to top"
    r"|loading(?:\.\.\.|…)?|wird geladen(?:\.\.\.|…)?|please wait"
    r"|posted (?:on|in|by)|published (?:on|in|by)|sign up(?: now| today)?|download now"
    r"|learn more|read this next|get in touch|contact us|join (?:now|us|our newsletter)"
    r"|teilen(?: sie dies)?(?: mit)?|share this:?|gefällt mir|like this:?|bewerten"
    r"|auch interessant|schon gelesen|mehr themen|weitere themen|top-themen|empfohlene beiträge"
    r"|(?:ähnliche|verwandte) (?:artikel|beiträge)|más sobre .{1,30}|temas|etiquetas|tags?"
    r"|inhaltsverzeichnis|table of contents|contents|índice|sommaire|spis treści"
    r"|kontakt|contact|pressekontakt|zusatzinformationen|quellenangaben|quellen|sources"
    r"|(?:keine|no|view|show|\d+) (?:kommentare|comments?)|kommentieren|pressemitteilungen"
    r"|vorschau auf den nächsten artikel|nächster artikel|vorheriger artikel"
    r"|next (?:article|story|post)|previous (?:article|story|post)"
    r"|home|register|log ?in|sign ?in|back to (?:blogs?|news|articles|all posts|overview)"
    r"|advertiser disclosure|share your story|blog index|book a demo|get started(?: today| now)?"
    r"|pin (?:it|for later)|\d{1,3} min(?:ute)?s? read|page \d+ of \d+|why trust us"
    r"|zurück zur (?:übersicht|startseite)|retour (?:à l'accueil|aux articles)"
    r"|weitere (?:\w+ )?(?:themen|artikel|beiträge|nachrichten|meldungen)(?: [\w ]{0,30})?"
    r"|kategorien?(?: ?: ?[\w ]{1,30})?|categor(?:y|ies)(?: ?: ?[\w ]{1,30})?"
    r"|top-themen(?: [\w ]{0,30})?|mehr zum thema(?: [\w. ]{0,30})?|notas relacionadas"
    r"|ansprechpartner(?:in)?(?: zum thema)?|pressekontakt|release date|(?:[\w-]+ ){1,3}newsletter"
    r"|originalpublikation|original publication|publication originale|werbung\W.{0,60}"
    r")\W{0,3}$",
    re.IGNORECASE,
)
# Credits and copyright notes: "Photo: X", "Foto: dpa", "© Reuters", "Getty Images".
_CREDIT = re.compile(
    r"^\W{0,2}(?:"
    r"(?:photo|foto|bild|image|picture|credit|fotos|photos|bilder|copyright|titelbild"
    r"|beitragsbild|headerbild|symbolbild|titelfoto|crédits? photos?|crédit|crédito"
    r"|fotografía|zdjęcie|fot\.)(?:\s*(?:credit|by|de|von|:)\s*|\s*:\s*|\s+©)"
    r"|©|\(c\)|copyright (?:©|\(c\)|\d{4})"
    r")",
    re.IGNORECASE,
)
_AGENCY = re.compile(
    r"(?:^|[/|(©]|\bvia |\bby )\W{0,2}[\w .&-]{0,40}"
    r"(?:getty images|shutterstock|istock(?:photo)?|imago|picture alliance|dpa|afp|reuters"
    r"|associated press|ap photo|epa|unsplash|pexels|pixabay|adobe stock)\W{0,3}$",
    re.IGNORECASE,
)
# Calls to act: share, follow, subscribe, download the app, comment.
_PROMPT = re.compile(
    r"share (?:this|on|via)|follow us|sign up (?:here|now|today)|subscribe (?:now|here|today)"
    r"|(?:sign up|subscribe) (?:for|to) (?:our|the) (?:free |daily |weekly |morning |email )*"
    r"newsletter|download (?:the|our) .{0,40}app|get the app|click here"
    r"|leave a (?:reply|comment)|post (?:a )?comment|your email address will not be published"
    r"|required fields are marked|all rights reserved|for the latest (?:news|stories)"
    r"|jetzt (?:abonnieren|anmelden|registrieren|teilen)|newsletter (?:abonnieren|bestellen)"
    r"|folgen sie uns|teilen sie diesen|alle rechte vorbehalten|kommentar schreiben"
    r"|abonnez-vous|inscrivez-vous|suivez-nous|tous droits réservés|partager sur"
    r"|suscríbete|síguenos|todos los derechos reservados|compartir en"
    r"|iscriviti|seguici|obserwuj nas|zapisz się|wszelkie prawa zastrzeżone"
    r"|to view the full story|please subscribe|subscribers only|for subscribers"
    r"|this (?:article|content) is (?:only )?(?:available|for) (?:to )?subscribers"
    r"|pour (?:lire la suite|accéder en illimité)|réservé aux abonnés"
    r"|(?:müssen|musst|must) (?:\w+ )?(?:eingeloggt|angemeldet|logged in|signed in)"
    r"|sie sind (?:\w+ )?nicht (?:eingeloggt|angemeldet)|zum newsletter anmelden"
    r"|(?:signing|sign) up (?:to|for) (?:our|the) newsletter|never miss (?:the latest|a story)"
    r"|(?:alle )?angaben ohne gewähr|chroniony prawem autorskim|affiliate[- ]links?"
    r"|we may (?:receive|earn) (?:a )?(?:compensation|commission)"
    r"|what you think about this article|video verfügbar bis|ten tekst przeczytasz"
    r"|(?:may|might|could) (?:earn|receive) (?:us )?(?:a )?(?:small )?(?:commission|compensation)"
    r"|we (?:may be|are) compensated|join (?:our|the) [\w ]{0,30}(?:newsletter|mailing list)"
    r"|subscribe (?:to get|for (?:the )?latest|to us|to our|to this)"
    r"|exclusive to [\w+ ]{0,30}subscribers|(?:receive|get) notifications"
    r"|sign up to (?:get|receive)|already a subscriber|letter to the editor"
    r"|hazte (?:miembro|socio)|canal de (?:youtube|telegram|whatsapp)|keine kommentare"
    r"|^\W{0,3}(?:anzeige|werbung)\s*[-\u2013:.|]|inhalt von [\w.\-]+ zu laden"
    r"|to load (?:the )?content from|sofern nicht anders (?:angegeben|ausgewiesen|vermerkt)",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(
    r"^\W{0,3}(?:(?:last )?(?:updated|published|modified|posted)(?: on)?|aktualisiert(?: am)?"
    r"|letzte (?:änderung|aktualisierung)(?: am)?|zuletzt (?:geändert|aktualisiert)(?: am)?"
    r"|veröffentlicht(?: am)?|stand|mis à jour(?: le)?|publié(?: le)?|actualizado|publicado"
    r")\b.{0,40}\d.{0,30}$",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni"
    r"|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre"
    r"|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre"
    r"|octubre|noviembre|diciembre)[a-z]*\.?"
)
# A line that is only a date: "Jan 13, 2025", "13. Januar 2025", "2025-01-13", "13.01.2025".
_BARE_DATE = re.compile(
    rf"^\W{{0,3}}(?:\d{{1,2}}\.?\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d\d-\d\d|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?:\W{1,3}\d{1,2}:\d\d(?:\s*[ap]m)?)?\W{0,3}$",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"^[\w.%+-]+\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?)$", re.IGNORECASE)

TEASER_MAX_WORDS = 30
PROMPT_MAX_WORDS = 18
CREDIT_MAX_WORDS = 12


def _is_credit(text: str) -> bool:
    return bool(_CREDIT.match(text) or _AGENCY.search(text))


def _is_date(text: str) -> bool:
    return bool(_DATE_LINE.match(text) or _BARE_DATE.match(text))


# (reason, longest line in words the rule applies to, test), first match wins.
_RULES = (
    ("file-name", 1, lambda t: bool(_FILE_NAME.match(t))),
    ("label", 8, lambda t: bool(_LABEL.match(t))),
    ("teaser", TEASER_MAX_WORDS, lambda t: bool(_TEASER.match(t))),
    ("credit", CREDIT_MAX_WORDS, _is_credit),
    ("prompt", PROMPT_MAX_WORDS, lambda t: bool(_PROMPT.search(t))),
    ("date", 12, _is_date),
)


def clutter_reason(line: str) -> str:
    """Why ``line`` is page furniture rather than article text ("" when it is text)."""
    text = " ".join(line.split())
    words = len(text.split())
    for reason, max_words, test in _RULES:
        if 0 < words <= max_words and test(text):
            return reason
    return ""


TEASER_HEADLINE_MAX_WORDS = 16
_SENTENCE_END = re.compile(r"[.!?:;…][\"'\u201c\u201d\u2019)\]]*$")


def _heads_teasers(text: str) -> bool:
    """A label over a list of other stories: "Related stories", "Auch interessant:"."""
    bare = text.strip().rstrip(":>»|-\u2013\u2014 ")
    return 0 < len(bare.split()) <= 6 and bool(_TEASER.match(bare + ":"))


def _headline_like(text: str) -> bool:
    """A teaser's headline: short, and not a sentence (no closing full stop)."""
    text = " ".join(text.split())
    return 0 < len(text.split()) <= TEASER_HEADLINE_MAX_WORDS and not _SENTENCE_END.search(text)


def drop_clutter(text: str) -> str:
    """``text`` without the lines :func:`clutter_reason` flags.

    The headlines listed under a teaser label ("Related stories", "Auch interessant:") go
    with it: short lines that are not sentences, up to the first line of prose.
    """
    kept = []
    in_teasers = False
    for line in text.split("\n"):
        if in_teasers and _headline_like(line):
            continue
        reason = clutter_reason(line)
        in_teasers = bool(reason) and _heads_teasers(line)
        if not reason:
            kept.append(line)
    return "\n".join(kept).strip()
