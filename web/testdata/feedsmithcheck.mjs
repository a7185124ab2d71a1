// Parse feeds with feedsmith (an independent JavaScript feed parser from the
// npm registry) and print what a reader sees, as JSON: one object per URL.
//
// Usage: node feedsmithcheck.mjs URL...   (run by web's acceptance tests from
// a directory where `npm install feedsmith` put node_modules; see .ci/run)
//
// feedsmith detects the format itself (parseFeed) and rejects a document
// that is not a valid feed of that format; dates are checked with
// Date.parse, as a JavaScript reader would.
import { parseFeed } from 'feedsmith'

// text is a text construct's string (Atom titles are objects).
const text = (x) => (typeof x === 'string' ? x : x?.value ?? '')

const out = []
for (const url of process.argv.slice(2)) {
  const res = await fetch(url)
  const body = await res.text()
  const view = { url, status: res.status, format: '', error: '', title: '', entries: [] }
  try {
    const { format, feed } = parseFeed(body)
    view.format = format
    view.title = text(feed.title)
    const items = format === 'atom' ? feed.entries ?? [] : feed.items ?? []
    for (const it of items) {
      let id, link, date, tags
      if (format === 'json') {
        id = it.id
        link = it.url
        date = it.date_published
        tags = it.tags ?? []
      } else if (format === 'atom') {
        id = it.id
        link = (it.links ?? []).find((l) => !l.rel || l.rel === 'alternate')?.href
        date = it.published ?? it.updated
        tags = (it.categories ?? []).map((c) => c.term)
      } else {
        id = it.guid?.value ?? it.guid
        link = it.link
        date = it.pubDate
        tags = (it.categories ?? []).map((c) => c.name)
      }
      view.entries.push({
        id: id ?? '',
        link: link ?? '',
        title: text(it.title),
        date: typeof date === 'string' && !Number.isNaN(Date.parse(date)),
        tags: tags.filter((t) => typeof t === 'string' && t !== ''),
      })
    }
  } catch (err) {
    view.error = String(err?.message ?? err)
  }
  out.push(view)
}
console.log(JSON.stringify(out))
