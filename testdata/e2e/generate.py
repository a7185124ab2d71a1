import json, re, html, os, pathlib
S = pathlib.Path('/work/shared/seeds')
out = pathlib.Path('/work/main/testdata/e2e'); out.mkdir(parents=True, exist_ok=True)
seed = {p.name[:3]: p.read_text() for p in S.glob('0*.txt')}

def paras(text):
    return [l.strip() for l in text.split('\n') if l.strip()]

def to_html(lines):
    return ''.join('<p>%s</p>\n' % html.escape(l, quote=False) for l in lines)

# ---------- Asharq Al-Awsat: Atom 1.0, two stories from seed 000 ----------
s0 = seed['000']
a, b = s0.split('Russia Says it Will Counter Any UK-Ukraine Cooperation in Sea of Azov', 1)
b = 'Russia Says it Will Counter Any UK-Ukraine Cooperation in Sea of Azov' + b
def atom_entry(title, body_lines, url, eid, published, cats, author):
    return f'''  <entry>
    <title type="html">{html.escape(title + ' | Asharq Al-Awsat')}</title>
    <link rel="alternate" type="text/html" href="{url}"/>
    <id>{eid}</id>
    <published>{published}</published>
    <updated>{published}</updated>
    <author><name>{author}</name></author>
    {''.join(f'<category term="{c}"/>' for c in cats)}
    <summary type="html">{html.escape(body_lines[0] if body_lines else '')}</summary>
    <content type="html">{html.escape(to_html(body_lines))}</content>
  </entry>
'''
la = paras(a)[1:]  # drop the first title line; keep repeated captions and TT as scraped
lb = paras(b)[1:]
off_aa = ['Saudi Arabia and the United Arab Emirates announced on Monday a joint plan to expand desalination capacity along the Gulf coast by 2030.',
          'The project will add four plants and is expected to supply water to two million people, officials said at a ceremony in Riyadh.',
          'Read more']
atom = f'''<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Asharq Al-Awsat</title>
  <subtitle>Arab News</subtitle>
  <link rel="alternate" type="text/html" href="https://english.aawsat.com/"/>
  <link rel="self" type="application/atom+xml" href="https://english.aawsat.com/feed"/>
  <id>https://english.aawsat.com/</id>
  <updated>2022-12-19T12:30:00Z</updated>
{atom_entry('US Asks Iran to Stop Selling Drones to Russia', la, '/node/4489341/us-asks-iran-stop-selling-drones-russia?utm_source=rss&amp;utm_medium=feed', 'https://english.aawsat.com/node/4489341', '2022-12-16T10:05:00+03:00', ['World', 'Iran'], 'Asharq Al-Awsat')}
{atom_entry('Russia Says it Will Counter Any UK-Ukraine Cooperation in Sea of Azov', lb, '/node/5102233/russia-says-it-will-counter-any-uk-ukraine-cooperation-sea-azov', 'https://english.aawsat.com/node/5102233', '2022-12-19T12:30:00+03:00', ['World', 'Russia'], 'Asharq Al-Awsat')}
{atom_entry('Saudi Arabia, UAE Unveil Gulf Desalination Plan', off_aa, '/node/5102240/saudi-uae-desalination', 'https://english.aawsat.com/node/5102240', '2022-12-19T09:00:00+03:00', ['Gulf'], 'Asharq Al-Awsat')}
</feed>
'''
atom = atom.replace('href="/node', 'href="https://english.aawsat.com/node')
(out/'asharq-al-awsat.atom').write_text(atom)

# ---------- Iran Front Page: WordPress RSS 2.0 with content:encoded ----------
s1 = paras(seed['001'])
title1 = s1[1]
body1 = s1[2:]  # includes disclaimer and Recent Posts as scraped
wp_item = lambda title, link, guid, date, creator, cats, desc, content: f'''    <item>
      <title>{html.escape(title)}</title>
      <link>{link}</link>
      <dc:creator><![CDATA[{creator}]]></dc:creator>
      <pubDate>{date}</pubDate>
      {''.join(f'<category><![CDATA[{c}]]></category>' for c in cats)}
      <guid isPermaLink="false">{guid}</guid>
      <description><![CDATA[{desc}]]></description>
      <content:encoded><![CDATA[{content}]]></content:encoded>
    </item>
'''
ifp_content = to_html(body1)
off1 = ['Tehran and Riyadh have reaffirmed their commitment to the China-brokered deal and to further consolidation of bilateral ties, the two foreign ministries said in a joint statement.',
        'The statement followed a meeting of the joint follow-up committee in Beijing, attended by senior diplomats of the three countries.',
        'IFP Media Wire']
mt3_url = 'https://www.themoscowtimes.com/2022/12/18/iran-says-it-wont-seek-permission-from-anyone-to-boost-russia-ties-a79733'
s3 = paras(seed['003'])
wire3 = [l for l in s3[3:12]]
rss_ifp = f'''<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
  <channel>
    <title>Iran Front Page</title>
    <atom:link href="https://ifpnews.com/feed/" rel="self" type="application/rss+xml" />
    <link>https://ifpnews.com</link>
    <description>Iran News, Latest Updates, Economy, Politics, Society, Culture</description>
    <lastBuildDate>Mon, 19 Dec 2022 08:12:40 +0000</lastBuildDate>
    <language>en-US</language>
    <sy:updatePeriod>hourly</sy:updatePeriod>
    <sy:updateFrequency>1</sy:updateFrequency>
{wp_item(title1, 'https://ifpnews.com/cia-director-iran-russia-cooperation-worrying/', 'https://ifpnews.com/?p=91823', 'Sun, 18 Dec 2022 10:41:12 +0330', 'IFP Editorial Staff', ['Media Wire', 'Politics'], html.escape(body1[0]) + ' &#8230;', ifp_content)}
{wp_item("Iran says it won’t ‘seek permission from anyone’ to boost Russia ties", mt3_url + '?utm_source=ifp&amp;utm_medium=referral', 'https://ifpnews.com/?p=91840', 'Sun, 18 Dec 2022 16:20:00 +0330', 'IFP Media Wire', ['Media Wire'], html.escape(wire3[0]), to_html(wire3))}
{wp_item('Tehran, Riyadh announce commitment to China-brokered agreement', 'https://ifpnews.com/tehran-riyadh-commitment-china-brokered-agreement/', 'https://ifpnews.com/?p=91850', 'Mon, 19 Dec 2022 08:12:40 +0330', 'IFP Editorial Staff', ['Politics'], html.escape(off1[0]), to_html(off1))}
  </channel>
</rss>
'''
(out/'iran-front-page.rss').write_text(rss_ifp)

# ---------- The Moscow Times: RSS 2.0 with media:content ----------
s2 = paras(seed['002'])
def mt_item(title, link, date, img, caption, body):
    return f'''    <item>
      <title>{html.escape(title)}</title>
      <link>{link}</link>
      <guid isPermaLink="true">{link}</guid>
      <pubDate>{date}</pubDate>
      <description>{html.escape(body[0])}</description>
      <media:content url="{img}" medium="image" type="image/jpeg" width="1200" height="800">
        <media:description>{html.escape(caption)}</media:description>
      </media:content>
      <content:encoded><![CDATA[{'<p>Support The Moscow Times!</p>' + to_html(body)}]]></content:encoded>
    </item>
'''
mt2_body = s2[3:]
mt3_body = s3[3:]
off_mt = ['Moscow authorities opened three new stations on the Big Circle Line of the metro on Saturday, completing the largest underground ring in the world.',
          'Mayor Sergei Sobyanin said the line would cut travel times for millions of commuters in the capital\'s outer districts.',
          'Sign up for our free weekly newsletter', 'Read more']
rss_mt = f'''<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>The Moscow Times - Independent News from Russia</title>
    <link>https://www.themoscowtimes.com/</link>
    <description>The Moscow Times offers everything you need to know about Russia.</description>
    <language>en</language>
    <atom:link href="https://www.themoscowtimes.com/rss/news" rel="self" type="application/rss+xml"/>
{mt_item("Russia's Use of Iranian Drones in Ukraine 'Appalling': Blinken - The Moscow Times", 'https://www.themoscowtimes.com/2022/10/28/russias-use-of-iranian-drones-in-ukraine-appalling-blinken-a79215', 'Fri, 28 Oct 2022 09:17:00 +0300', 'https://static.themoscowtimes.com/image/article_1360/blinken.jpg', s2[2], mt2_body)}
{mt_item("Iran Says It Won't 'Seek Permission From Anyone' to Boost Russia Ties - The Moscow Times", mt3_url, 'Sun, 18 Dec 2022 13:05:00 +0300', 'https://static.themoscowtimes.com/image/article_1360/raisi-putin.jpg', s3[2], mt3_body)}
{mt_item('Moscow Opens Final Stations of Big Circle Metro Line - The Moscow Times', 'https://www.themoscowtimes.com/2023/03/01/moscow-opens-big-circle-line-a80345', 'Mon, 19 Dec 2022 18:00:00 +0300', 'https://static.themoscowtimes.com/image/article_1360/metro.jpg', 'A new metro station in Moscow.', off_mt)}
  </channel>
</rss>
'''
(out/'the-moscow-times.rss').write_text(rss_mt)

# ---------- Al Mayadeen English: JSON Feed 1.1 ----------
s4 = paras(seed['004'])
jf = {
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Al Mayadeen English",
  "home_page_url": "https://english.almayadeen.net/",
  "feed_url": "https://english.almayadeen.net/rss",
  "language": "en",
  "items": [
    {"id": "https://english.almayadeen.net/news/politics/possible-russia-iran-defense-partnership-has-us-britain-on-edge",
     "url": "https://english.almayadeen.net/news/politics/possible-russia-iran-defense-partnership-has-us-britain-on-edge",
     "title": s4[0],
     "summary": s4[1],
     "content_html": to_html(s4[1:]),
     "date_published": "2022-12-17T14:22:00+03:00",
     "authors": [{"name": "Al Mayadeen English"}],
     "tags": ["Politics", "Iran", "Russia"],
     "image": "https://english.almayadeen.net/images/burns.jpg"},
    {"id": "https://english.almayadeen.net/news/politics/lebanon-electricity-plan",
     "url": "https://english.almayadeen.net/news/politics/lebanon-electricity-plan",
     "title": "Lebanese cabinet approves emergency electricity plan",
     "content_html": "<p>The Lebanese cabinet approved on Thursday an emergency plan to raise power supply to ten hours a day, Energy Minister Walid Fayad said.</p><p>The plan relies on fuel shipments and new tariffs, and donors have been asked to fund repairs of the grid.</p>",
     "date_published": "2022-12-15T09:00:00+03:00",
     "tags": ["Lebanon"]}
  ]
}
(out/'al-mayadeen.json').write_text(json.dumps(jf, ensure_ascii=False, indent=2) + '\n')

# ---------- a broken outlet ----------
# broken.rss is written by hand: an HTML error page served where the feed should be.
print('ok')
