#!/usr/bin/env python3
"""Builds testdata/golden/seed_*.xml from ../shared/seeds (run once; output is committed).

Each seed capture becomes a WordPress-style RSS item whose content:encoded carries the
article as HTML with the boilerplate exactly as the capture shows it (repeated titles and
captions, "TT", donation appeals, newsletter sign-ups, payment widgets, "Recent Posts"
with relative times, disclaimers, "Read more"), plus typical feed cruft (a tracking
pixel, a script, share links, relative image URLs).
"""
import html, os, sys

SEEDS = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/seeds"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")

def read(name):
    for f in os.listdir(SEEDS):
        if f.startswith(name):
            return open(os.path.join(SEEDS, f), encoding="utf-8").read()
    raise SystemExit("missing seed " + name)

def blocks(text):
    """Blank-line separated blocks, each a list of lines."""
    out = []
    for b in text.split("\n\n"):
        lines = [l for l in b.split("\n") if l.strip()]
        if lines:
            out.append(lines)
    return out

def esc(s):
    return html.escape(s, quote=False)

def p(s, cls=None):
    c = f' class="{cls}"' if cls else ""
    return f"<p{c}>{esc(s)}</p>"

def item(title, link, guid, date, creator, cats, desc, content):
    cat = "".join(f"<category><![CDATA[{c}]]></category>" for c in cats)
    return f"""  <item>
    <title>{esc(title)}</title>
    <link>{link}</link>
    <dc:creator><![CDATA[{creator}]]></dc:creator>
    <pubDate>{date}</pubDate>
    {cat}
    <guid isPermaLink="false">{guid}</guid>
    <description><![CDATA[{desc}]]></description>
    <content:encoded><![CDATA[{content}]]></content:encoded>
  </item>
"""

def rss(title, link, items, lang="en-US"):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
  <title>{esc(title)}</title>
  <atom:link href="{link}feed/" rel="self" type="application/rss+xml" />
  <link>{link}</link>
  <description>{esc(title)}</description>
  <language>{lang}</language>
  <generator>https://wordpress.org/?v=6.4.2</generator>
{''.join(items)}</channel>
</rss>
"""

PIXEL = '<img src="https://feeds.feedburner.com/~r/example/~4/abc" height="1" width="1" alt=""/>'
SHARE = '<div class="share"><a href="https://www.facebook.com/sharer.php?u=x">Facebook</a></div><div class="share"><a href="https://twitter.com/intent/tweet">Twitter</a></div>'

def asharq():
    text = read("000_")
    stories = text.split("\n\n\n\n")
    items = []
    for n, story in enumerate(stories):
        bs = blocks(story)
        title = bs[0][0]
        caption = bs[1][0]
        h = []
        # The capture: title, caption twice, TT; title again, caption twice; body.
        h.append(f'<figure><img src="/2025/01/photo{n}.jpg" alt="{html.escape(caption)}"/><figcaption>{esc(caption)}</figcaption></figure>')
        h.append(p(caption, "caption"))
        h.append('<div class="credit"><span>TT</span></div>')
        h.append(f"<h2>{esc(title)}</h2>")
        h.append(p(caption))
        h.append(p(caption))
        for b in bs[4:] if n == 0 else bs[4:]:
            for line in b:
                h.append(p(line))
        h.append(PIXEL)
        body = [l for b in bs[4:] for l in b]
        desc = esc(body[0][:200]) + " [&#8230;]"
        slug = "-".join(title.lower().replace("-", " ").split()[:8])
        items.append(item(title, f"https://english.aawsat.com/world/{5000000+n}-{slug}?utm_source=rss&amp;utm_medium=rss",
                          f"https://english.aawsat.com/node/{5000000+n}", f"Sat, 18 Jan 2025 1{n}:30:00 +0000",
                          "Asharq Al-Awsat", ["World"], desc, "\n".join(h)))
    return rss("Asharq Al-Awsat English", "https://english.aawsat.com/", items)

def ifp():
    bs = blocks(read("001_"))
    h = []
    # "Media Wire" section label, then title, body, then the IFP Media Wire footer,
    # the disclaimer and a Recent Posts sidebar with relative times.
    assert bs[0] == ["Media Wire"]
    title = bs[1][0]
    h.append('<div class="section-label">Media Wire</div>')
    h.append(f"<h1>{esc(title)}</h1>")
    h.append('<script>window.dataLayer=window.dataLayer||[];</script>')
    i = 2
    while bs[i][0] != "IFP Media Wire":
        for line in bs[i]:
            h.append(p(line))
        i += 1
    h.append(SHARE)
    h.append(p("IFP Media Wire", "source"))
    h.append(p(bs[i + 1][0], "disclaimer"))
    i += 2
    assert bs[i] == ["Recent Posts"]
    h.append('<aside class="widget"><h3 class="widget-title">Recent Posts</h3><ul>')
    i += 1
    while i < len(bs):
        head, excerpt, when = bs[i][0], bs[i + 1][0], bs[i + 2][0]
        h.append(f'<li><a href="/hamas-{i}/">{esc(head)}</a><p>{esc(excerpt)}</p><span class="time">{esc(when)}</span></li>')
        i += 3
    h.append("</ul></aside>")
    h.append(PIXEL)
    desc = esc(bs[2][0][:220]) + " [&#8230;]<p>The post <a href=\"https://ifpnews.com/cia-director-iran-russia-cooperation-worrying/\">" + esc(title) + "</a> appeared first on <a href=\"https://ifpnews.com\">Iran Front Page</a>.</p>"
    it = item(title + " - IFP News", "https://ifpnews.com/cia-director-iran-russia-cooperation-worrying/amp/",
              "https://ifpnews.com/?p=190357", "Sat, 17 Dec 2022 14:05:00 +0330",
              "IFP Media Wire", ["Media Wire", "Politics", "Russia", "Politics"], desc, "\n".join(h))
    return rss("IFP News", "https://ifpnews.com/", [it])

def moscow():
    items = []
    for seed, slug, date, guid in (("002_", "2022/10/27/russias-use-of-iranian-drones-in-ukraine-appalling-blinken-a79205", "Thu, 27 Oct 2022 22:46:00 MSK", "79205"),
                                   ("003_", "2022/12/18/iran-says-it-wont-seek-permission-from-anyone-to-boost-russia-ties-a79741", "Sun, 18 Dec 2022 14:33:00 +0300", "79741")):
        bs = blocks(read(seed))
        assert bs[0] == ["Support The Moscow Times!"]
        title, caption = bs[1][0], bs[2][0]
        h = ['<div class="banner"><a href="/contribute">Support The Moscow Times!</a></div>',
             f'<figure class="article__featured-image"><img src="https://static.themoscowtimes.com/image/article_1360/{guid}.jpg" /><figcaption>{esc(caption)}</figcaption></figure>']
        i = 3
        while i < len(bs):
            b = bs[i]
            if b[0] in ("Sign up for our free weekly newsletter", "A Message from The Moscow Times:") or b[0].startswith("… we have"):
                break
            for line in b:
                h.append(p(line))
            i += 1
        rest = bs[i:]
        h.append('<div class="newsletter">')
        for b in rest:
            if b[0] == "Once":
                h.append('<ul class="payment-options">' + "".join(f"<li>{esc(l)}</li>" for l in b[:4]) + "</ul>")
                for l in b[4:]:
                    h.append(f"<div>{esc(l)}</div>")
            elif b[0] == "paiment methods":
                for l in b:
                    h.append(f"<div>{esc(l)}</div>")
            elif b[0] == "Read more":
                h.append('<a class="read-more" href="/2022/10/27/">Read more</a>')
            else:
                for l in b:
                    h.append(p(l))
        h.append("</div>")
        lead = bs[3][0]
        items.append(item(title + " - The Moscow Times", f"https://www.themoscowtimes.com/{slug}?utm_source=rss&amp;utm_medium=feed",
                          f"https://www.themoscowtimes.com/{slug}", date, "AFP", ["News", "Iran", "Drones"], esc(lead), "\n".join(h)))
    return rss("The Moscow Times - Independent News from Russia", "https://www.themoscowtimes.com/", items)

def mayadeen():
    lines = [l for l in read("004_").split("\n") if l.strip()]
    title, lead, body = lines[0], lines[1], lines[2:]
    h = [f'<h2 class="subtitle">{esc(lead)}</h2>']
    for l in body:
        if l.startswith("UK: Russia-Iran"):
            h.append(f"<h3>{esc(l)}</h3>")
        else:
            h.append(p(l))
        if l.startswith("Iran has repeatedly stressed"):
            h.append('<p>Read more: <a href="/news/politics/iran-drones">Iran denies supplying drones to Russia</a></p>')
    return rss("Al Mayadeen English", "https://english.almayadeen.net/",
               [item(title, "https://english.almayadeen.net/news/politics/possible-russia-iran-defense-partnership-has-us--britain-on-ed#comments",
                     "https://english.almayadeen.net/news/politics/possible-russia-iran-defense-partnership-has-us--britain-on-ed",
                     "Sat, 17 Dec 2022 18:10:21 GMT", "Al Mayadeen English", ["Politics"], esc(lead), "\n".join(h))])

for name, fn in (("seed_aawsat", asharq), ("seed_ifp", ifp), ("seed_moscowtimes", moscow), ("seed_almayadeen", mayadeen)):
    with open(os.path.join(OUT, name + ".xml"), "w", encoding="utf-8") as f:
        f.write(fn())

# seed_bodies.json: for every seed item (by GUID), the article body paragraphs as
# the capture has them; the test asserts each one survives normalisation intact.
def bodies():
    out = {}
    text = read("000_")
    for n, story in enumerate(text.split("\n\n\n\n")):
        out[f"https://english.aawsat.com/node/{5000000+n}"] = [l for b in blocks(story)[4:] for l in b]
    bs = blocks(read("001_"))
    body = []
    for b in bs[2:]:
        if b[0] == "IFP Media Wire":
            break
        body += b
    out["https://ifpnews.com/?p=190357"] = body
    for seed, guid, stop in (("002_", "https://www.themoscowtimes.com/2022/10/27/russias-use-of-iranian-drones-in-ukraine-appalling-blinken-a79205", "Sign up"),
                             ("003_", "https://www.themoscowtimes.com/2022/12/18/iran-says-it-wont-seek-permission-from-anyone-to-boost-russia-ties-a79741", "… we have")):
        body = []
        for b in blocks(read(seed))[3:]:
            if b[0].startswith(stop):
                break
            body += b
        out[guid] = body
    lines = [l for l in read("004_").split("\n") if l.strip()]
    out["https://english.almayadeen.net/news/politics/possible-russia-iran-defense-partnership-has-us--britain-on-ed"] = lines[1:]
    return out

import json
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed_bodies.json"), "w", encoding="utf-8") as f:
    json.dump(bodies(), f, ensure_ascii=False, indent=1)
    f.write("\n")
