"""The report as one print-ready HTML document, made from the report's Markdown (report.render) read
back as markdown-it tokens (markdown.parse), so it holds exactly what the Markdown holds.

Self-contained: the CSS inline, the charts inlined as SVG, nothing fetched; a Content-Security-Policy
forbids scripts and the network. Everything before the first `##` is the title page (the title and
the facts as a definition list); each `##` with what follows it is a section, which in print starts
a page of its own. The print stylesheet sets A4 pages numbered "Sida 3 av 12", repeats table
headers on every page and keeps rows, figures and headings with what follows them.

Safety: user text in the Markdown has every `<` escaped (markdown.inline), and markdown-it escapes
all text it renders; the one raw HTML let through is exactly markdown.BREAK (`<br>`), any other
raw HTML is shown as text. The pictures are the caller's SVG documents (matplotlib's), whose ids are
prefixed per figure so that two charts' glyph and clip-path ids never collide."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from html import escape
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from kompass_tui.core.sanitize import visible
from kompass_tui.exchange import markdown as md

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_PAGE = {"sv": ("Sida ", " av "), "en": ("Page ", " of ")}


def write(markdown: str, pictures: Mapping[str, str], lang: str, title: str) -> str:
    """The report as one self-contained HTML document (inline CSS and SVG, no network).

    pictures: each chart's SVG document by the name its image link has in the Markdown
    (`![caption](name)`); an image whose name is not there is shown as its caption alone.
    lang: 'sv' or 'en' (the document's language and the page numbers' words); title: the
    document's title (the browser tab, and the running head of printed pages after the first)."""
    lang = "sv" if lang == "sv" else "en"
    title = " ".join(visible(title).split())
    tokens = md.parse(markdown)
    options = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False}).options
    renderer = _Renderer(pictures)
    env: EnvType = {}
    parts = _split(tokens)
    body = ['<header class="title-page">\n', _title_page(parts[0], renderer, options, env), "</header>\n"]
    for section in parts[1:]:
        body += ["<section>\n", renderer.render(section, options, env), "</section>\n"]
    return "".join(
        [
            "<!doctype html>\n",
            f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',
            f"<title>{escape(title)}</title>\n",
            f"<style>\n{_css(lang, title)}</style>\n</head>\n<body>\n<main>\n",
            *body,
            "</main>\n</body>\n</html>\n",
        ]
    )


def _split(tokens: Sequence[Token]) -> list[list[Token]]:
    """The tokens before the first top-level h2 (the title page), then each h2 with what follows it."""
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0:
            parts.append([])
        parts[-1].append(token)
    return parts


def _title_page(tokens: list[Token], renderer: _Renderer, options: OptionsDict, env: EnvType) -> str:
    """The title page: the h1 as a cover title (the framework above the municipality, where the
    title is 'Framework: Municipality'), the facts list (`- **Label:** value`) as a definition list,
    the rest as it is."""
    out: list[str] = []
    start = i = 0
    while i < len(tokens):
        token = tokens[i]
        made: str | None = None
        end = i
        if token.type == "heading_open" and token.tag == "h1" and i + 2 < len(tokens):
            made, end = _cover_title(tokens[i + 1], renderer, options, env), i + 2
        elif token.type == "bullet_list_open":
            end = next(
                j
                for j in range(i + 1, len(tokens))
                if tokens[j].type == "bullet_list_close" and tokens[j].level == token.level
            )
            made = _facts(tokens[i : end + 1], renderer, options, env)
        if made is None:
            i += 1
            continue
        out += [renderer.render(tokens[start:i], options, env), made]
        start = i = end + 1
    out.append(renderer.render(tokens[start:], options, env))
    return "".join(out)


def _cover_title(inline: Token, renderer: _Renderer, options: OptionsDict, env: EnvType) -> str:
    children = inline.children or []
    if len(children) == 1 and children[0].type == "text" and ": " in children[0].content:
        kicker, name = children[0].content.split(": ", 1)
        return (
            f'<h1><span class="kicker">{escape(kicker)}</span><span class="visually-hidden">: </span>'
            f'<span class="name">{escape(name)}</span></h1>\n'
        )
    return f"<h1>{renderer.renderInline(children, options, env)}</h1>\n"


def _facts(tokens: list[Token], renderer: _Renderer, options: OptionsDict, env: EnvType) -> str | None:
    """A list whose every item starts with a bold label ending in ':' as a <dl>; None for another list."""
    items = [token for token in tokens if token.type == "inline"]
    if not items or sum(token.type == "list_item_open" for token in tokens) != len(items):
        return None
    rows: list[str] = []
    for item in items:
        kids = _solid(item.children)
        if len(kids) < 3 or [kid.type for kid in kids[:3]] != ["strong_open", "text", "strong_close"]:
            return None
        label = kids[1].content
        if not label.endswith(":"):
            return None
        value = renderer.renderInline(kids[3:], options, env).strip()
        rows.append(f"<dt>{escape(label[:-1].strip())}</dt>\n<dd>{value}</dd>\n")
    return '<dl class="facts">\n' + "".join(rows) + "</dl>\n"


def _alone(children: Sequence[Token]) -> bool:
    """Whether an inline token's children are one image and nothing but white space besides."""
    images = [kid for kid in children if kid.type == "image"]
    rest = [kid for kid in children if kid.type != "image"]
    return len(images) == 1 and all(
        kid.type == "softbreak" or (kid.type == "text" and not kid.content.strip()) for kid in rest
    )


def _solid(children: Sequence[Token] | None) -> list[Token]:
    """Inline tokens without the empty text tokens markdown-it leaves around emphasis."""
    return [kid for kid in children or [] if kid.type != "text" or kid.content]


def _plain(children: Sequence[Token] | None) -> str:
    """Inline tokens' text, without markup (an image's caption for aria-label)."""
    out: list[str] = []
    for kid in children or []:
        if kid.type in ("text", "code_inline", "html_inline"):
            out.append(kid.content)
        elif kid.children:
            out.append(_plain(kid.children))
        elif kid.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


class _Renderer(RendererHTML):
    """markdown-it's HTML with the report's rules: only <br> of raw HTML, charts as inline SVG
    figures, number columns as class="num", total and group rows marked, bold-only paragraphs
    marked as labels that keep with what follows."""

    def __init__(self, pictures: Mapping[str, str]) -> None:
        super().__init__()
        self._pictures = pictures
        self._figures = 0

    def html_inline(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        content = tokens[idx].content
        return "<br>" if content == md.BREAK else escape(content, quote=False)

    def html_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f'<p class="raw">{escape(tokens[idx].content.strip(), quote=False)}</p>\n'

    def paragraph_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
        kids = (inline.children or []) if inline is not None and inline.type == "inline" else []
        if not tokens[idx].hidden:
            if _alone(kids):
                return ""  # a figure is not allowed inside <p>
            if [kid.type for kid in _solid(kids)] == ["strong_open", "text", "strong_close"]:
                return '<p class="label">'
        return self.renderToken(tokens, idx, options, env)

    def paragraph_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        inline = tokens[idx - 1] if idx else None
        if not tokens[idx].hidden and inline is not None and inline.type == "inline" and _alone(inline.children or []):
            return ""
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        src = str(token.attrs.get("src", ""))
        svg = self._pictures.get(src)
        if svg is None:
            svg = self._pictures.get(unquote(src))
        caption = self.renderInline(token.children or [], options, env)
        label = " ".join(visible(_plain(token.children)).split())
        picture = ""
        if svg is not None:
            self._figures += 1
            picture = _inline_svg(svg, f"f{self._figures}-", label)
        if not _alone(tokens):  # amid text: no figure (not in a paragraph), the picture or its caption
            return f'<span class="picture">{picture}</span>' if picture else f'<span class="missing">{caption}</span>'
        if not picture:
            return f'<figure class="missing">\n<figcaption>{caption}</figcaption>\n</figure>\n'
        return f"<figure>\n{picture}\n<figcaption>{caption}</figcaption>\n</figure>\n"

    def table_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """A table in a box that scrolls sideways on a narrow screen; a table of figures (every
        column but the first of numbers) marked, so its label column is not squeezed."""
        heads = []
        for token in tokens[idx + 1 :]:
            if token.type == "th_open":
                heads.append(str(token.attrs.get("style", "")))
            elif token.type == "thead_close":
                break
        figures = len(heads) > 1 and all(align == "text-align:right" for align in heads[1:])
        return '<div class="table">\n<table class="figures">\n' if figures else '<div class="table">\n<table>\n'

    def table_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "</table>\n</div>\n"

    def tr_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """A row whose first cell is wholly bold: a total ('**Totalt**'), or, with every other cell
        empty, the heading of a group of rows ('**Skillnad mot …**'), one cell across the row."""
        opens: list[Token] = []
        closes: list[Token] = []
        cells: list[list[Token]] = []
        for token in tokens[idx + 1 :]:
            if token.type == "tr_close":
                break
            if token.type == "td_open":
                opens.append(token)
            elif token.type == "td_close":
                closes.append(token)
            elif token.type == "inline":
                cells.append(token.children or [])
        if not cells or not opens or len(opens) != len(cells) or len(closes) != len(cells):
            return "<tr>\n"
        first = [kid.type for kid in _solid(cells[0])]
        if first[:1] != ["strong_open"] or first[-1:] != ["strong_close"] or first.count("strong_open") != 1:
            return "<tr>\n"
        if any(_plain(cell).strip() for cell in cells[1:]):
            return '<tr class="total">\n'
        opens[0].meta["colspan"] = len(cells)
        for token in [*opens[1:], *closes[1:]]:
            token.meta["skip"] = True
        return '<tr class="group">\n'

    def th_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return _cell("th", tokens, idx)

    def td_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "" if tokens[idx].meta.get("skip") else _cell("td", tokens, idx)

    def td_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return "" if tokens[idx].meta.get("skip") else "</td>\n"


_ALIGN = {"text-align:right": "num", "text-align:center": "center"}
SHORT = 12  # a cell of up to this many characters is not wrapped: "2004-06-30", "◐ påbörjad"


def _cell(tag: str, tokens: Sequence[Token], idx: int) -> str:
    """A table cell's opening tag: its alignment as a class (no inline style; numbers do not wrap),
    a short text as one that does not wrap either, a group heading's span."""
    token = tokens[idx]
    classes = [_ALIGN[align]] if (align := str(token.attrs.get("style", ""))) in _ALIGN else []
    inline = tokens[idx + 1] if idx + 1 < len(tokens) and tokens[idx + 1].type == "inline" else None
    if "num" not in classes and inline is not None and 0 < len(_plain(inline.children).strip()) <= SHORT:
        classes.append("short")
    span = f' colspan="{int(token.meta["colspan"])}"' if "colspan" in token.meta else ""
    kind = f' class="{" ".join(classes)}"' if classes else ""
    return f"<{tag}{kind}{span}>"


# The parts of an SVG document that are not for inline use: prolog, comments, metadata (matplotlib's RDF).
_SVG_DROP = re.compile(
    r"<\?xml.*?\?>|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>|<!--.*?-->|<metadata\b.*?</metadata\s*>|<metadata\b[^>]*/>",
    re.DOTALL | re.IGNORECASE,
)
_SVG_ROOT = re.compile(r"<svg\b([^>]*?)(/?)>", re.IGNORECASE)
_SVG_SCRIPT = re.compile(r"<script\b.*?</script\s*>|<script\b[^>]*/>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"""<[A-Za-z][^"'>]*(?:(?:"[^"]*"|'[^']*')[^"'>]*)*>""")
_ATTR = re.compile(r"""([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")
_ID = re.compile(r"""(\sid\s*=\s*)(["'])(.*?)\2""")
_HREF = re.compile(r"""(\s(?:xlink:)?href\s*=\s*)(["'])#(.*?)\2""")
_URL = re.compile(r"""url\(\s*(["']?)#([^)"']*)\1\s*\)""")
_EVENT = re.compile(r"""\son\w+\s*=\s*(?:"[^"]*"|'[^']*')""", re.IGNORECASE)
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px|pt)?\s*$")
_ROOT_DROPPED = {"width", "height", "role", "aria-label", "aria-hidden", "style", "class"}


def _inline_svg(svg: str, prefix: str, label: str) -> str:
    """An SVG document as an element to inline in HTML: prolog, comments, metadata and any script
    gone, every id and reference to one (href, xlink:href, url(#…)) in a tag prefixed, the root
    an image labelled with the caption that scales to the figure's width (its viewBox kept, or
    made from its size)."""
    text = _SVG_DROP.sub("", svg)
    root = _SVG_ROOT.search(text)
    end = text.lower().rfind("</svg")
    close = text.find(">", end) if end >= 0 else -1
    if root is None or (not root.group(2) and (end < root.end() or close < 0)):
        return ""  # not an SVG document: the figure shows its caption alone
    if root.group(2):
        inner = "</svg>"
    else:
        inner = _TAG.sub(_prefixed(prefix), _SVG_SCRIPT.sub("", text[root.end() : close + 1]))
    attrs = {name: value[1:-1] for name, value in _ATTR.findall(root.group(1))}
    if not any(name.lower() == "viewbox" for name in attrs):
        width, height = (_LENGTH.match(attrs.get(side, "")) for side in ("width", "height"))
        if width and height:
            attrs["viewBox"] = f"0 0 {width.group(1)} {height.group(1)}"
    if "id" in attrs:
        attrs["id"] = prefix + attrs["id"]
    kept = "".join(
        f' {name}="{value}"'
        for name, value in attrs.items()
        if name.lower() not in _ROOT_DROPPED and not name.lower().startswith("on")
    )
    return f'<svg{kept} width="100%" role="img" aria-label="{escape(label)}">{inner}'


def _prefixed(prefix: str) -> Callable[[re.Match[str]], str]:
    """What an SVG tag becomes: its id and its references to ids prefixed, any event handler gone."""

    def tag(found: re.Match[str]) -> str:
        text = _EVENT.sub("", found.group())
        text = _ID.sub(lambda m: f"{m.group(1)}{m.group(2)}{prefix}{m.group(3)}{m.group(2)}", text)
        text = _HREF.sub(lambda m: f"{m.group(1)}{m.group(2)}#{prefix}{m.group(3)}{m.group(2)}", text)
        return _URL.sub(lambda m: f"url({m.group(1)}#{prefix}{m.group(2)}{m.group(1)})", text)

    return tag


def _css_string(text: str) -> str:
    """text as a CSS string: every character but letters, digits and spaces as a hex escape, so
    no text can end the string or the <style> element."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def _css(lang: str, title: str) -> str:
    page, of = _PAGE[lang]
    return (
        _CSS.replace("PAGE_NUMBERS", f'"{page}" counter(page) "{of}" counter(pages)')
        .replace("RUNNING_HEAD", _css_string(title))
        .lstrip()
    )


_CSS = """
:root {
  --ink: #1d2430; --muted: #5a6474; --accent: #1f4e79; --rule: #c9ced6; --zebra: #f2f5f9;
  color-scheme: light;
}
html {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial,
    "Liberation Sans", "DejaVu Sans", sans-serif;
  font-size: 100%; line-height: 1.55; color: var(--ink); background: #fff;
  -webkit-text-size-adjust: 100%; text-size-adjust: 100%;
}
body { margin: 0; }
main { max-width: 50em; margin: 0 auto; padding: 2.5em 1.5em 4em; }
h1, h2, h3 { line-height: 1.25; font-weight: 650; }
h2 {
  font-size: 1.45em; color: var(--accent); margin: 0 0 .9em; padding-bottom: .3em;
  border-bottom: 2px solid var(--accent);
}
h3 { font-size: 1.15em; color: var(--accent); margin: 1.6em 0 .6em; }
p, ul, ol, dl { margin: 0 0 .9em; }
ul, ol { padding-left: 1.4em; }
li { margin: .25em 0; }
p.label { margin: 1.3em 0 .35em; }
section { margin-top: 3.5em; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
pre { font-size: .85em; white-space: pre-wrap; overflow-wrap: anywhere; padding: .8em 1em; border: 1px solid var(--rule); }
p.raw { white-space: pre-wrap; }
a { color: var(--accent); }

.title-page { padding: 2em 0 1.5em; margin-bottom: 1em; border-bottom: 1px solid var(--rule); }
.title-page h1 { font-size: 2.5em; margin: 0 0 .9em; color: var(--ink); letter-spacing: -.01em; }
.title-page .kicker {
  display: block; margin-bottom: .5em; font-size: .4em; font-weight: 600; letter-spacing: .08em;
  text-transform: uppercase; color: var(--accent);
}
.title-page .name { display: block; }
.title-page dl.facts {
  display: grid; grid-template-columns: max-content 1fr; gap: .45em 1.6em; margin: 0 0 1.5em;
  padding: 1em 0; border-top: 3px solid var(--accent); border-bottom: 1px solid var(--rule);
}
.title-page dt { font-weight: 600; color: var(--muted); }
.title-page dd { margin: 0; }
.title-page > p { color: var(--muted); font-size: .92em; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}

div.table { overflow-x: auto; margin: 0 0 1.3em; }
table { border-collapse: separate; border-spacing: 0; width: 100%; font-size: .92em; line-height: 1.4; }
th, td { text-align: left; vertical-align: top; padding: .38em .6em; overflow-wrap: break-word; hyphens: auto; }
thead th { vertical-align: bottom; font-weight: 600; border-bottom: 1.5px solid var(--ink); }
tbody td { border-top: 1px solid var(--rule); }
tbody tr:first-child td, tbody tr.group + tr td { border-top: 0; }
tbody tr:last-child td { border-bottom: 1px solid var(--rule); }
tbody tr:nth-child(even) { background: var(--zebra); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num, td.short { white-space: nowrap; }
table.figures td:first-child { min-width: 9em; }
.center { text-align: center; }
tbody tr.total td { font-weight: 600; border-top: 1.5px solid var(--ink); }
tbody tr.total:last-child td { border-bottom: 1.5px solid var(--ink); }
tbody tr.group td { padding-top: 1.1em; background: #fff; border-top: 0; border-bottom: 1.5px solid var(--ink); }

figure { margin: 1.2em 0 1.8em; max-width: 100%; }
figure svg { display: block; width: 100%; max-width: 100%; height: auto; }
figcaption { margin-top: .4em; font-size: .9em; color: var(--muted); text-align: center; }
figure.missing figcaption { padding: 2em 1em; border: 1px dashed var(--rule); }
.picture svg { display: inline-block; max-width: 100%; height: auto; vertical-align: middle; }

@page {
  size: A4;
  margin: 2cm 2cm 2.5cm;
  @bottom-center { content: PAGE_NUMBERS; font-size: 9pt; color: #5a6474; }
  @top-right { content: RUNNING_HEAD; font-size: 8.5pt; color: #5a6474; }
}
@page :first {
  @bottom-center { content: none; }
  @top-right { content: none; }
}
@media print {
  html { font-size: 10.5pt; line-height: 1.45; }
  main { max-width: none; margin: 0; padding: 0; }
  section { break-before: page; margin-top: 0; }
  h1, h2, h3, p.label { break-after: avoid; }
  h2 { margin-top: 0; }
  tr, figure, pre, dl.facts { break-inside: avoid; }
  thead { display: table-header-group; }
  tbody tr:nth-child(even) { background: none; }
  p, li { orphans: 3; widows: 3; }
  div.table { overflow: visible; }
  table { font-size: .9em; }
  figure svg { max-height: 21cm; }
  a { color: inherit; text-decoration: none; }
  .title-page {
    box-sizing: border-box; min-height: 24cm; margin: 0; padding: 5cm 0 0; border: 0;
    display: flex; flex-direction: column;
  }
  .title-page h1 { font-size: 30pt; margin-bottom: 0; }
  .title-page dl.facts { margin-top: auto; }
}
"""
