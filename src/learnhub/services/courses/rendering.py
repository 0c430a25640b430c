"""Markdown to safe HTML, video addresses to players, uploaded file names to safe ones."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_UNSAFE_FILENAME = re.compile(r"[^\w.\- ()\[\]+,]")
_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")
_TOP_HEADING = re.compile(r"^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")


def render_markdown(text: str, *, top_heading: int = 1) -> str:
    """Markdown as HTML with anything that could run script removed. ``top_heading`` is the
    level a ``#`` heading becomes (the others follow, down to ``h6``), for text shown inside
    a page that has its own headings, such as a learner's work."""
    html = nh3.clean(
        _markdown.render(text or ""),
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto"},
    )
    if top_heading == 1:
        return html
    shift = top_heading - 1
    return _HEADING_TAG.sub(lambda tag: f"<{tag[1]}h{min(6, int(tag[2]) + shift)}", html)


def render_lesson(markdown: str, title: str) -> str:
    """A lesson's Markdown as HTML for a page whose ``h1`` is the lesson's title: a first
    ``#`` heading that repeats the title is left out (it would show twice), and the
    lesson's headings are moved down together, if need be, so the highest is an ``h2``."""
    first, _, rest = (markdown or "").lstrip("\n").partition("\n")
    heading = _TOP_HEADING.match(first)
    if heading is not None and _same_words(heading[1], title):
        markdown = rest
    html = render_markdown(markdown)
    levels = [int(tag[2]) for tag in _HEADING_TAG.finditer(html) if not tag[1]]
    if not levels or min(levels) >= 2:
        return html
    return _HEADING_TAG.sub(lambda tag: f"<{tag[1]}h{min(6, int(tag[2]) + 1)}", html)


def _same_words(one: str, other: str) -> bool:
    return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()


@dataclass(frozen=True)
class Video:
    url: str
    provider: str  # youtube | vimeo | direct
    embed_url: str | None


def _youtube_id(host: str, path: str, query: str) -> str | None:
    if host == "youtu.be":
        candidate = path.strip("/").split("/")[0]
    elif host in _YOUTUBE_HOSTS:
        parts = [part for part in path.split("/") if part]
        if parts[:1] == ["watch"]:
            candidate = parse_qs(query).get("v", [""])[0]
        elif len(parts) >= 2 and parts[0] in {"embed", "shorts", "live", "v"}:
            candidate = parts[1]
        else:
            return None
    else:
        return None
    return candidate if _YOUTUBE_ID.match(candidate) else None


def describe_video(url: str) -> Video:
    """YouTube and Vimeo addresses become their embeddable players; anything else is a
    direct link to a video file."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    youtube = _youtube_id(host, parts.path, parts.query)
    if youtube:
        return Video(url, "youtube", f"https://www.youtube-nocookie.com/embed/{youtube}")
    if host in _VIMEO_HOSTS:
        numbers = [part for part in parts.path.split("/") if part.isdigit()]
        if numbers:
            return Video(url, "vimeo", f"https://player.vimeo.com/video/{numbers[0]}")
    return Video(url, "direct", None)


def safe_filename(name: str | None) -> str:
    """The last path component of an uploaded file's name, without characters that could
    confuse a file system or a header; "file" when nothing usable is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_FILENAME.sub("_", name).strip(" .")
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        name = (
            stem[: 150 - len(extension) - 1] + "." + extension
            if dot and len(extension) <= 10
            else name[:150]
        )
    return name or "file"


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Intro to Chemistry!" -> "intro-to-chemistry"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100].strip("-")
