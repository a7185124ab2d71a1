"""Parse feeds with Python feedparser and print what a reader sees, as JSON.

Usage: feedcheck.py URL...   (run by web's acceptance tests with /usr/bin/python3)

For every URL it fetches the feed twice: once plainly and once with the
ETag and Last-Modified feedparser saw, to check conditional GET.

feedparser 6.0 (Debian 12) does not read JSON Feed, so URLs ending in .json
are checked against the JSON Feed 1.1 specification here instead, with the
standard library only, and reported in the same shape.
"""
import datetime
import json
import sys
import urllib.error
import urllib.request

import feedparser


def entry_view(e):
    return {
        "id": e.get("id", ""),
        "link": e.get("link", ""),
        "title": e.get("title", ""),
        "date": bool(e.get("published_parsed") or e.get("updated_parsed")),
        "tags": [t.get("term", "") for t in e.get("tags", [])],
        "author": e.get("author", ""),
    }


def check(url):
    d = feedparser.parse(url)
    again = feedparser.parse(url, etag=d.get("etag"), modified=d.get("modified"))
    return {
        "url": url,
        "status": d.get("status", 0),
        "version": d.get("version", ""),
        "bozo": bool(d.get("bozo")),
        "bozo_exception": str(d.get("bozo_exception", "")),
        "encoding": d.get("encoding", ""),
        "title": d.feed.get("title", ""),
        "links": [{"rel": l.get("rel", ""), "href": l.get("href", "")} for l in d.feed.get("links", [])],
        "etag": d.get("etag", ""),
        "entries": [entry_view(e) for e in d.entries],
        "second_status": again.get("status", 0),
        "second_entries": len(again.entries),
    }


def fetch(url, etag=None):
    req = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    if etag:
        req.add_header("If-None-Match", etag)
    try:
        with urllib.request.urlopen(req, timeout=20) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, b""


def rfc3339(s):
    datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return True


def check_json(url):
    """Validate a JSON Feed 1.1 document the way a strict reader would."""
    status, headers, body = fetch(url)
    problems = []
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        doc, problems = {}, ["not JSON: %s" % err]
    if headers.get("Content-Type", "").split(";")[0] != "application/feed+json":
        problems.append("content type %r" % headers.get("Content-Type"))
    version = "json11" if doc.get("version") == "https://jsonfeed.org/version/1.1" else ""
    if not isinstance(doc.get("title"), str) or not doc.get("title"):
        problems.append("feed without title")
    if not isinstance(doc.get("items"), list):
        problems.append("items is not an array")
    entries = []
    for it in doc.get("items") or []:
        if not isinstance(it.get("id"), str) or not it["id"]:
            problems.append("item without a string id")
        if not (it.get("content_html") or it.get("content_text")):
            problems.append("item %s without content" % it.get("id"))
        date = False
        for key in ("date_published", "date_modified"):
            if key in it:
                try:
                    date = rfc3339(it[key])
                except ValueError:
                    problems.append("item %s: bad %s %r" % (it.get("id"), key, it[key]))
        ext = it.get("_topicfeed") or {}
        for key in ("story", "sources", "topics", "tags", "score"):
            if key not in ext:
                problems.append("item %s: _topicfeed.%s missing" % (it.get("id"), key))
        authors = it.get("authors") or []
        entries.append({
            "id": it.get("id", ""),
            "link": it.get("url", ""),
            "title": it.get("title", ""),
            "date": date,
            "tags": it.get("tags", []),
            "author": authors[0].get("name", "") if authors else "",
        })
    second, _, second_body = fetch(url, headers.get("ETag"))
    return {
        "url": url,
        "status": status,
        "version": version,
        "bozo": bool(problems),
        "bozo_exception": "; ".join(problems),
        "encoding": "utf-8",
        "title": doc.get("title", ""),
        "links": [{"rel": "self", "href": doc.get("feed_url", "")}],
        "etag": headers.get("ETag", ""),
        "entries": entries,
        "second_status": second,
        "second_entries": len(json.loads(second_body)["items"]) if second_body else 0,
    }


if __name__ == "__main__":
    json.dump([check_json(u) if u.endswith(".json") else check(u) for u in sys.argv[1:]], sys.stdout)
