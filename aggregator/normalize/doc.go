// Package normalize turns parsed feed items (gofeed) into clean, canonical
// news.Items: sanitised HTML with absolute links, plain text for matching with
// boilerplate removed by data-driven rules, canonical URLs, UTC dates and
// comparison keys that fold case, diacritics and script variants.
//
// Everything here is pure: no I/O, no clock (the caller passes now), no
// logging. What the boilerplate rules did to an item is returned in a Report
// by (*Normalizer).Item for callers that want to explain it.
package normalize
