"""A web page of realistic weight around an article, for the full-pipeline benchmark.

Common Crawl's monthly crawls average about 140 KB of uncompressed content per page (e.g. March 2024:
3.16 billion pages, 424 TiB), and a typical news or blog page carries far more markup than text: meta
and Open Graph tags, JSON-LD, inline CSS and scripts, a mega-menu, share buttons with inline SVG icons,
related-article cards, a sidebar, a footer full of links and a serialized application state. The
extractor's cost grows with that markup, so a benchmark of pages holding little more than their article
measures the extractor on unrealistically cheap input and overstates everything else's share.

``render_web_page`` builds such a page deterministically from a seeded generator: the number of menu
sections, cards, CSS rules and the size of the inline state vary per page, giving pages of roughly
40–200 KB (median about 90 KB). The boilerplate labels are English, as on many sites whatever their
language; the article, headlines and teasers are in the page's language.
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Sequence

from roots.demo.corpus import Doc

MENU_SECTIONS = (
    "News", "World", "Politics", "Business", "Markets", "Technology", "Science", "Health", "Sport",
    "Culture", "Travel", "Food", "Opinion", "Video", "Podcasts", "Weather", "Education", "Local",
)  # fmt: skip
MENU_TOPICS = (
    "Latest", "Analysis", "Explainers", "Interviews", "Live", "Photos", "Features", "Reviews", "Guides",
    "Data", "Events", "Archive", "Newsletters", "Regions", "Companies", "Startups", "Climate", "Energy",
    "Space", "Football", "Tennis", "Cinema", "Music", "Books", "Recipes", "Family", "Money", "Jobs",
)  # fmt: skip
FOOTER_LINKS = (
    "About us", "Contact", "Careers", "Advertise", "Privacy policy", "Cookie policy", "Terms of use",
    "Accessibility", "Corrections", "Editorial standards", "Subscriptions", "Help centre", "Sitemap",
    "RSS feeds", "Newsletters", "Apps", "Archive", "Press", "Licensing", "Manage preferences",
)  # fmt: skip
SOCIAL = ("facebook", "x", "linkedin", "whatsapp", "email", "telegram", "reddit")
HREFLANGS = ("en", "fr", "es", "pt", "ar", "hi", "zh-CN", "id", "vi", "sw")


def _svg_icon(gen: random.Random, name: str) -> str:
    """An inline SVG icon: a path of 40–90 coordinates, as icon sets embed them."""
    points = " ".join(
        f"{gen.uniform(0, 24):.2f},{gen.uniform(0, 24):.2f}" for _ in range(gen.randint(40, 90))
    )
    return (
        f'<svg class="icon icon-{name}" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">'
        f'<path fill="currentColor" d="M{points}Z"/></svg>'
    )


def _inline_css(gen: random.Random) -> str:
    rules = []
    for number in range(gen.randint(150, 450)):
        block = gen.choice(("c", "l", "m", "u", "o"))
        rules.append(
            f".{block}-{number:03x} .{block}__el-{gen.randint(0, 40)}{{margin:{gen.randint(0, 32)}px "
            f"{gen.randint(0, 32)}px;padding:{gen.randint(0, 24)}px;color:#{gen.randrange(16**6):06x};"
            f"font-size:{gen.choice((12, 14, 16, 18, 20, 24))}px;line-height:{gen.uniform(1, 2):.2f}}}"
        )
    return "\n".join(rules)


def _inline_script(gen: random.Random) -> str:
    functions = []
    for number in range(gen.randint(20, 60)):
        functions.append(
            f"function f{number}(a,b){{var c=a.getAttribute('data-k{number}')||'';"
            f"if(c.length>{gen.randint(1, 9)}){{b.push({{id:c,t:Date.now(),v:{gen.randint(0, 999)}}})}}"
            f"return b.filter(function(x){{return x.v>{gen.randint(0, 500)}}})}}"
        )
    return ";\n".join(functions)


def _initial_state(doc: Doc, related: Sequence[Doc], gen: random.Random) -> str:
    """The serialized application state single-page front ends put at the end of the body."""
    state = {
        "page": {"id": doc.id, "url": doc.url, "section": gen.choice(MENU_SECTIONS), "paywall": False},
        "ads": [
            {"slot": f"slot-{n}", "sizes": [[300, 250], [728, 90]], "targeting": {"pos": n, "kw": doc.lang}}
            for n in range(gen.randint(4, 12))
        ],
        "recommendations": [
            {"id": r.id, "url": r.url, "score": round(gen.random(), 4), "tags": gen.sample(MENU_TOPICS, 4)}
            for r in related
            for _ in range(gen.randint(2, 6))
        ],
        "experiments": {f"exp_{n}": gen.choice(("a", "b", "control")) for n in range(gen.randint(10, 40))},
    }
    return json.dumps(state, separators=(",", ":"))


def _menu(gen: random.Random, host: str) -> str:
    sections = gen.sample(MENU_SECTIONS, gen.randint(6, 12))
    items = []
    for section in sections:
        topics = gen.sample(MENU_TOPICS, gen.randint(4, 12))
        links = "".join(
            f'<li class="menu__item"><a class="menu__link" href="https://{host}/{section.lower()}/'
            f'{t.lower()}/" data-track="nav|{section}|{t}">{t}</a></li>'
            for t in topics
        )
        items.append(
            f'<li class="menu__section"><button class="menu__toggle" aria-expanded="false">{section}</button>'
            f'<div class="menu__panel"><ul class="menu__list">{links}</ul></div></li>'
        )
    return "\n".join(items)


def _cards(related: Sequence[Doc], gen: random.Random, count: int) -> str:
    esc = html.escape
    cards = []
    for number in range(count):
        other = related[number % len(related)] if related else None
        title = esc(other.title if other else "Related story", quote=False)
        teaser = esc(other.paragraphs[0][:140] if other else "", quote=False)
        url = esc(other.url if other else "#")
        cards.append(
            f'<div class="card card--{gen.choice(("small", "wide", "tall"))}"><a class="card__media" href="{url}">'
            f'<img src="/img/{gen.randrange(10**9)}.jpg" srcset="/img/{gen.randrange(10**9)}-320.jpg 320w, '
            f'/img/{gen.randrange(10**9)}-640.jpg 640w" loading="lazy" alt="" width="320" height="180"></a>'
            f'<div class="card__body"><span class="card__kicker">{gen.choice(MENU_SECTIONS)}</span>'
            f'<h3 class="card__title"><a href="{url}">{title}</a></h3><p class="card__teaser">{teaser}</p>'
            f'<time datetime="2024-05-{gen.randint(1, 28):02d}">{gen.randint(1, 23)} h ago</time></div></div>'
        )
    return "\n".join(cards)


def _footer(gen: random.Random, host: str) -> str:
    columns = []
    for _ in range(gen.randint(4, 6)):
        links = "".join(
            f'<li><a href="https://{host}/{label.lower().replace(" ", "-")}">{label}</a></li>'
            for label in gen.sample(FOOTER_LINKS, gen.randint(6, 12))
        )
        columns.append(f'<div class="footer__col"><ul>{links}</ul></div>')
    social = "".join(
        f'<a class="social social--{name}" href="https://{name}.example/{host}">{_svg_icon(gen, name)}</a>'
        for name in SOCIAL
    )
    return "\n".join(columns) + f'\n<div class="footer__social">{social}</div>'


def render_web_page(doc: Doc, related: Sequence[Doc], seed: str) -> str:
    """The page of ``doc`` (its article in ``<article>``) with the markup of a real news site around it."""
    gen = random.Random(f"{seed}:{doc.url}")
    esc = html.escape
    host = doc.url.split("/")[2]
    title = esc(doc.title, quote=False)
    description = esc(doc.paragraphs[0][:160])
    lang = {"zh": "zh-CN"}.get(doc.hint, doc.hint)
    meta = "\n".join(
        f'<meta property="{p}" content="{v}">'
        for p, v in (
            ("og:type", "article"), ("og:title", title), ("og:description", description),
            ("og:url", esc(doc.url)), ("og:site_name", host), ("og:image", f"https://{host}/og/{doc.id}.jpg"),
            ("twitter:card", "summary_large_image"), ("twitter:title", title),
            ("article:published_time", "2024-05-01T08:00:00Z"), ("article:section", gen.choice(MENU_SECTIONS)),
        )
    )  # fmt: skip
    alternates = "\n".join(
        f'<link rel="alternate" hreflang="{code}" href="https://{host}/{code.lower()}/{doc.id}">'
        for code in HREFLANGS
    )
    json_ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": doc.title,
            "description": doc.paragraphs[0][:160],
            "inLanguage": lang,
            "author": {"@type": "Person", "name": "Staff reporter"},
            "publisher": {"@type": "Organization", "name": host, "logo": f"https://{host}/logo.png"},
            "datePublished": "2024-05-01T08:00:00Z",
        },
        ensure_ascii=False,
    )
    article_parts = []
    for number, paragraph in enumerate(doc.paragraphs):
        article_parts.append(f"<p>{esc(paragraph, quote=False)}</p>")
        if number == 1:
            article_parts.append(
                f'<div class="ad-slot" data-slot="in-article-{number}"><ins class="adsbygoogle" '
                f'data-ad-client="ca-pub-{gen.randrange(10**15):015d}"></ins></div>'
            )
    article = "\n".join(article_parts)
    share = "".join(
        f'<button class="share share--{name}" data-network="{name}">{_svg_icon(gen, name)}</button>'
        for name in SOCIAL[:5]
    )
    most_read = "".join(f'<li><a href="{esc(d.url)}">{esc(d.title, quote=False)}</a></li>' for d in related)
    tags = "".join(
        f'<a class="tag" href="https://{host}/tag/{t.lower()}">{t}</a>'
        for t in gen.sample(MENU_TOPICS, gen.randint(8, 20))
    )
    scripts = "\n".join(
        f'<script src="https://cdn.{host}/js/{name}.{gen.randrange(16**8):08x}.js" defer></script>'
        for name in ("runtime", "vendor", "app", "ads", "consent", "analytics", "comments")[
            : gen.randint(4, 7)
        ]
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {host}</title>
<meta name="description" content="{description}">
<meta name="robots" content="index, follow, max-image-preview:large">
{meta}
<link rel="canonical" href="{esc(doc.url)}">
{alternates}
<link rel="preconnect" href="https://cdn.{host}">
<link rel="stylesheet" href="https://cdn.{host}/css/main.css">
<script type="application/ld+json">{json_ld}</script>
<style>{_inline_css(gen)}</style>
<script>{_inline_script(gen)}</script>
</head>
<body class="page page--article">
<a class="skip-link" href="#main">Skip to content</a>
<div id="consent" class="consent" role="dialog" aria-label="Cookie consent">
<p>We and our partners store and access information on your device, such as cookies, and process personal data
to show personalised ads and content, measure ads and content, and develop our services.</p>
<button class="consent__accept">Accept all</button><button class="consent__reject">Reject all</button>
<a href="https://{host}/cookies">Manage preferences</a>
</div>
<header class="site-header">
<a class="logo" href="https://{host}/">{_svg_icon(gen, "logo")}<span>{host}</span></a>
<form class="search" action="https://{host}/search"><input type="search" name="q" placeholder="Search">
<button type="submit">Search</button></form>
<nav class="menu" aria-label="Main"><ul class="menu__sections">
{_menu(gen, host)}
</ul></nav>
</header>
<main id="main">
<nav class="breadcrumbs"><ol><li><a href="https://{host}/">Home</a></li>
<li><a href="https://{host}/news/">News</a></li><li>{title}</li></ol></nav>
<article class="article">
<h1 class="article__title">{title}</h1>
<div class="article__meta"><a class="author" href="https://{host}/staff">Staff reporter</a>
<time datetime="2024-05-01T08:00:00Z">1 May 2024</time></div>
<div class="share-bar">{share}</div>
<figure class="article__figure"><img src="https://cdn.{host}/img/{doc.id}.jpg" alt="" width="1200" height="675">
<figcaption>Photo: agency</figcaption></figure>
<div class="article__body">
{article}
</div>
<div class="article__tags">{tags}</div>
</article>
<section class="newsletter"><h2>Newsletter</h2><p>The day's top stories in your inbox every morning.</p>
<form action="https://{host}/newsletter"><input type="email" name="email" placeholder="Your e-mail">
<button>Sign up</button></form></section>
<section class="related"><h2>More stories</h2>
{_cards(related, gen, gen.randint(6, 16))}
</section>
<aside class="sidebar"><h3>Most read</h3><ol>{most_read}</ol>
<div class="ad-slot" data-slot="sidebar"></div></aside>
</main>
<footer class="site-footer">
{_footer(gen, host)}
<p class="legal">© 2024 {host}. All rights reserved.</p>
</footer>
{scripts}
<script>window.__INITIAL_STATE__={_initial_state(doc, related, gen)};</script>
</body>
</html>
"""
