"""Extract an article from its page: text without boilerplate, headline, credits, date, image."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import py3langid

from newsdesk.pipeline.extract_clutter import drop_clutter
from newsdesk.pipeline.extract_meta import page_metadata
from newsdesk.pipeline.extract_text import drop_inert, main_text, parse_page
from newsdesk.pipeline.urls import canonical_url

# "X and Y contributed reporting." / "Additional reporting by X." / "Reporting by X; Editing by Y"
_CONTRIBUTOR_LINE = re.compile(
    r"^\s*(?:"
    r"(?P<a>.{3,200}?)\s+contributed\s+(?:reporting|to\s+this\s+(?:report|article|story))"
    r"|(?:additional\s+)?reporting\s+(?:was\s+contributed\s+)?by\s+(?P<b>.{3,200}?)"
    r"|avec\s+la\s+(?:contribution|collaboration)\s+d(?:e\s+|')(?P<c>.{3,200}?)"
    r"|mitarbeit\s*:\s*(?P<d>.{3,200}?)"
    r")\s*[.;]?\s*(?:(?:writing|editing)\s+by\s+.{0,120})?[.]?\s*$",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*|;\s*", re.IGNORECASE)
_BYLINE = re.compile(
    r"^\s*(?:by|par|von|por|di|door|av)\s+[^.!?]{2,80}?[\s\u2014\u2013-]*$", re.IGNORECASE
)
_FILE_NAME = re.compile(r"^[\w.%+-]+\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?)$", re.IGNORECASE)
_CREDIT_IN_CAPTION = re.compile(
    r"(?:^|\s)(?:\(|\[)?((?:photo(?:graph)?|image|picture|credit|foto|bild)\s*(?:by|:)\s*[^()\[\]]{2,120}"
    r"|[^()\[\]]{2,80}/(?:getty images|reuters|afp|ap|epa|shutterstock)[^()\[\]]*)(?:\)|\])?\s*$",
    re.IGNORECASE,
)
_CREDIT_CLASS = re.compile(r"credit|copyright|byline|source|photographer", re.IGNORECASE)


@dataclass(frozen=True)
class Extracted:
    """What a page says about its article. Field names are stable: other tools read them."""

    url: str
    canonical_url: str = ""
    title: str = ""
    text: str = ""
    authors: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    date: str | None = None
    image: str = ""
    image_alt: str = ""
    image_caption: str = ""
    image_credit: str = ""
    language: str = ""
    description: str = ""
    site_name: str = ""
    categories: tuple[str, ...] = ()
    word_count: int = 0  # words of running prose, see prose_words()
    paywalled: bool = False  # the page marks its article as for subscribers
    extras: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with lists instead of tuples."""
        data = asdict(self)
        for key in ("authors", "contributors", "categories"):
            data[key] = list(data[key])
        return data


def is_file_name(text: str) -> bool:
    """True when an alt text or caption is only an image file name ("00kursk-01-jumbo.jpg")."""
    return bool(_FILE_NAME.match(text.strip()))


def split_names(text: str) -> tuple[str, ...]:
    """People named in a credit ("A, B and C") as a tuple, without empty parts."""
    names = (n.strip(" .;,") for n in _NAME_SPLIT.split(text))
    return tuple(n for n in names if n and len(n) < 80)


def contributor_names(line: str) -> tuple[str, ...] | None:
    """The names in a contributor line, or None when the line is not one."""
    if len(line) > 300:
        return None
    match = _CONTRIBUTOR_LINE.match(line)
    if not match:
        return None
    found = next((g for g in match.group("a", "b", "c", "d") if g), "")
    return split_names(found)


def separate_contributors(text: str) -> tuple[str, tuple[str, ...]]:
    """Remove contributor lines from ``text``; return the text and the names they held."""
    kept: list[str] = []
    names: list[str] = []
    for line in text.split("\n"):
        found = contributor_names(line)
        if found is None:
            kept.append(line)
        else:
            names.extend(n for n in found if n not in names)
    return "\n".join(kept).strip(), tuple(names)


def strip_headline_and_byline(text: str, title: str) -> str:
    """Drop the headline and a "By X" byline that extractors keep at the top of the text."""
    lines = text.split("\n")
    head, rest = lines[:3], lines[3:]
    squashed_title = " ".join(title.split()).lower()
    head = [
        line
        for line in head
        if " ".join(line.split()).lower() != squashed_title and not _BYLINE.match(line)
    ]
    return "\n".join(head + rest).strip()


def prose_words(text: str, min_line_words: int = 8) -> int:
    """Words in lines of running prose; captions, menus and lists of links do not count."""
    counts = (len(line.split()) for line in text.split("\n"))
    return sum(n for n in counts if n >= min_line_words)


def _same_image(src: str, target: str) -> bool:
    a, b = urlsplit(src).path.rsplit("/", 1)[-1], urlsplit(target).path.rsplit("/", 1)[-1]
    return bool(a) and a == b


def _lead_figure(tree: Any, image: str, base: str) -> tuple[str, Any]:
    """The lead image URL and the <img> element that shows it (or None)."""
    images = tree.xpath("//article//img[@src] | //main//img[@src] | //figure//img[@src]")
    if image:
        for img in images:
            if _same_image(urljoin(base, img.get("src", "")), image):
                return image, img
        return image, None
    for img in images:
        if img.xpath("ancestor::figure"):
            return urljoin(base, img.get("src", "")), img
    return "", None


def _caption_and_credit(img: Any) -> tuple[str, str]:
    figure = next(iter(img.xpath("ancestor::figure[1]")), None)
    caption_node = None if figure is None else next(iter(figure.xpath(".//figcaption")), None)
    if caption_node is None:
        return "", ""
    credit = ""
    for node in caption_node.xpath(".//*[@class]"):
        if _CREDIT_CLASS.search(node.get("class", "")):
            credit = node.text_content().strip()
            break
    caption = " ".join(caption_node.text_content().split())
    if credit:
        caption = caption.replace(" ".join(credit.split()), "").strip()
    else:
        match = _CREDIT_IN_CAPTION.search(caption)
        if match:
            credit = match.group(1).strip()
            caption = caption[: match.start()].strip()
    return caption, " ".join(credit.split())


def lead_image(tree: Any, image: str, base: str) -> dict[str, str]:
    """Lead image URL with its alt text, caption and credit; alt is never a file name."""
    if tree is None:
        return {"image": image, "image_alt": "", "image_caption": "", "image_credit": ""}
    image, img = _lead_figure(tree, image, base)
    alt = caption = credit = ""
    if img is not None:
        alt = " ".join((img.get("alt") or "").split())
        caption, credit = _caption_and_credit(img)
    if is_file_name(alt):
        alt = ""
    if is_file_name(caption):
        caption = ""
    return {"image": image, "image_alt": alt, "image_caption": caption, "image_credit": credit}


def _declared_canonical(tree: Any, base: str) -> str:
    if tree is None:
        return ""
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        for href in tree.xpath(xpath):
            url = canonical_url(str(href), base)
            # A canonical pointing at the home page is a template mistake, not the article.
            if url and (urlsplit(url).path not in {"", "/"} or urlsplit(base).path in {"", "/"}):
                return url
    return ""


def detect_language(text: str, declared: str = "") -> str:
    """ISO 639-1 language of ``text`` (py3langid); the page's declaration when text is short."""
    if len(text) >= 40:
        return str(py3langid.classify(text[:1500])[0])
    return declared.split("-", maxsplit=1)[0].lower()[:2] if declared else ""


def _authors(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    names: list[str] = []
    for part in raw.split(";"):
        name = " ".join(part.split())
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _empty(url: str, tree: Any) -> Extracted:
    return Extracted(url=url, canonical_url=_declared_canonical(tree, url) or canonical_url(url))


def clean_text(raw: str, title: str) -> tuple[str, tuple[str, ...]]:
    """Article text without clutter lines, contributor lines, headline and byline."""
    text, contributors = separate_contributors(drop_clutter(raw))
    return strip_headline_and_byline(text, title), contributors


def extract(html: str, url: str) -> Extracted:
    """Extract the article of a page given as text; empty fields when it holds none.

    The page is parsed once (bounded, see :mod:`extract_text`); metadata is read from
    the tree before the text cascade works on copies of it. Never raises on bad input.
    """
    tree = parse_page(html)
    if tree is None:
        return _empty(url, None)
    meta = page_metadata(tree, url)
    drop_inert(tree)  # the metadata readers were the last to need scripts
    raw, notes = main_text(tree, url)
    if not raw:
        return _empty(url, tree)
    title = " ".join(meta["title"].split())
    text, contributors = clean_text(raw, title)
    image = canonical_url(meta["image"], url) if meta["image"] else ""
    lead = lead_image(tree, image, url)
    return Extracted(
        url=url,
        canonical_url=_declared_canonical(tree, url) or canonical_url(url),
        title=title,
        text=text,
        authors=_authors(meta["author"]),
        contributors=contributors,
        date=meta["date"],
        language=detect_language(text, str(tree.get("lang") or "")),
        description=meta["description"].strip(),
        site_name=meta["sitename"].strip(),
        categories=tuple(c for c in meta["categories"] if c),
        word_count=prose_words(text),
        paywalled=bool(meta["paywalled"]),
        image=lead["image"],
        image_alt=lead["image_alt"],
        image_caption=lead["image_caption"],
        image_credit=lead["image_credit"],
        extras=notes,
    )
