// Package normalize turns parsed feed items (gofeed) into clean, canonical
// news.Items: sanitised HTML with absolute links, plain text for matching with
// boilerplate removed by data-driven rules, canonical URLs, UTC dates and
// comparison keys that fold case, diacritics and script variants.
//
// Per item, (*Normalizer).Item:
//   - picks the body (the longer of content and description), parses it as
//     HTML (plain text lines become paragraphs), removes scripts, styles,
//     frames, forms and tracking pixels, and makes links and images absolute
//     against the item link (or the feed URL);
//   - splits the body into paragraphs and applies the boilerplate rules
//     (rules.yaml, embedded; see DefaultRules and ParseRules): drop a
//     paragraph, cut it and everything after it, or strip text inside it;
//     paragraphs repeating an earlier one or the title are dropped; if the
//     rules would empty the item it keeps its text (Report.KeptAll);
//   - sanitises the rest with bluemonday (UGC policy, absolute http(s) and
//     mailto URLs only, rel="nofollow noopener" on links);
//   - cleans the title (entities, markup, site-name affixes), derives one
//     from the text when missing, and builds a summary of at most about 300
//     characters without repeated sentences, ending at a sentence end or
//     with "…" (also where the outlet cut its description short);
//   - canonicalises the URL (CanonicalURL), honouring canonical hints the
//     feed gives; parses dates, including zones gofeed misreads, into UTC;
//   - hashes Key(title) and Key(text) into ContentHash.
//
// For the poller, RawHashes fingerprints each entry as Item reads it (an
// entry whose hash is stored need not be normalised again), and Published
// and KeepNewest date entries as Item does without normalising them.
//
// Every output string is valid UTF-8 without control characters. Nothing
// here does I/O, reads a clock (the caller passes now) or logs; what the
// rules did is returned in a Report.
package normalize
