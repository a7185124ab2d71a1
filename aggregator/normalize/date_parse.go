package normalize

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// zoneOffsets maps time-zone abbreviations seen in feeds to their UTC offset
// in minutes. Go's time package gives unknown abbreviations a zero offset, so
// "MSK" or "IRST" would silently be read as UTC. Ambiguous names (IST, AST,
// CST in Asia) are read the way news feeds use them most; CST is North
// American.
var zoneOffsets = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
	"WEST": 60, "BST": 60, "CET": 60, "MET": 60, "MEZ": 60, "WAT": 60,
	"CEST": 120, "MEST": 120, "MESZ": 120, "EET": 120, "CAT": 120, "SAST": 120, "IDT": 180, "IST": 120,
	"EEST": 180, "MSK": 180, "TRT": 180, "AST": 180, "EAT": 180, "MSD": 240,
	"IRST": 210, "IRDT": 270, "GST": 240, "SAMT": 240, "AZT": 240, "GET": 240, "AMT": 240,
	"AFT": 270, "PKT": 300, "YEKT": 300, "UZT": 300, "TJT": 300,
	"ALMT": 360, "OMST": 360, "NOVT": 420, "KRAT": 420, "ICT": 420, "WIB": 420,
	"CST": -360, "HKT": 480, "SGT": 480, "AWST": 480, "IRKT": 480,
	"JST": 540, "KST": 540, "YAKT": 540, "ACST": 570, "AEST": 600, "VLAT": 600, "AEDT": 660, "MAGT": 660,
	"NZST": 720, "NZDT": 780, "PETT": 720,
	"EST": -300, "EDT": -240, "CDT": -300, "MST": -420, "MDT": -360,
	"PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600, "ADT": -180, "NST": -210, "BRT": -180, "ART": -180,
}

var (
	weekdayRE = regexp.MustCompile(`(?i)^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+`)
	// A zone at the end: a name ("MSK", "(IRST)"), an offset ("+0330",
	// "+03:30", "+3"), or a name with an offset ("GMT+3", "UTC+03:30").
	zoneRE = regexp.MustCompile(`(?i)(\d(?:\s*[ap]\.?m\.?)?)\s*(?:\(?([a-z]{1,5})\)?)?\s*(?:([+-])(\d{1,2})(?::?(\d\d))?)?\)?$`)
	// A "T" between date and time, and a fraction of a second.
	isoTRE   = regexp.MustCompile(`(\d)[Tt](\d)`)
	fracRE   = regexp.MustCompile(`(:\d\d)[.,]\d+`)
	sepRE    = regexp.MustCompile(`\s*,\s*|\s+`)
	hasTime  = regexp.MustCompile(`\d:\d\d`)
	monthFix = strings.NewReplacer("Sept ", "Sep ", "sept ", "sep ", "SEPT ", "SEP ")
)

// dateLayouts are tried, in order, on a date after parseDate's clean-up:
// weekday and commas gone, "T" replaced by a space, the zone (if any) turned
// into a trailing numeric offset " -0700".
var dateLayouts = buildDateLayouts()

func buildDateLayouts() []string {
	dates := []string{"2006-1-2", "2 Jan 2006", "2 January 2006", "Jan 2 2006", "January 2 2006",
		"2 Jan 06", "2006/1/2", "2.1.2006", "2-Jan-2006", "2-Jan-06", "1/2/2006"}
	times := []string{"15:04:05", "15:04", "3:04:05 PM", "3:04 PM", "15.04"}
	var out []string
	for _, zone := range []string{" -0700", ""} {
		for _, d := range dates {
			for _, t := range times {
				out = append(out, d+" "+t+zone)
			}
		}
		out = append(out, "Jan 2 15:04:05 2006"+zone) // UnixDate without weekday
	}
	out = append(out, dates...)
	return out
}

// parseDate parses a feed date the way feeds write them, including the
// malformed variants gofeed leaves unparsed or gets wrong: RFC 822/1123/3339
// with or without weekday and seconds, named zones ("MSK", "IRST", "EST"),
// numeric offsets with or without colon ("+0330", "+03:30", "GMT+3"), and
// no zone at all (read in loc, UTC when nil). ok is false when s is not a
// date it understands.
func parseDate(s string, loc *time.Location) (time.Time, bool) {
	s = cleanLine(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	// Each failed time.Parse allocates its error: layouts are only tried
	// where the string can fit them (mayFit).
	if mayFit(time.RFC3339Nano, s) {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, true
		}
	}
	if mayFit(time.RFC1123Z, s) {
		if t, err := time.Parse(time.RFC1123Z, s); err == nil {
			return t, true
		}
	}
	s = weekdayRE.ReplaceAllString(s, "")
	s = isoTRE.ReplaceAllString(s, "$1 $2")
	s = fracRE.ReplaceAllString(s, "$1")
	s = monthFix.Replace(s)

	offset, hasZone := 0, false
	if hasTime.MatchString(s) {
		if m := zoneRE.FindStringSubmatchIndex(s); m != nil && (m[4] >= 0 || m[6] >= 0) {
			if m[4] >= 0 {
				off, ok := zoneOffsets[strings.ToUpper(s[m[4]:m[5]])]
				if !ok {
					return time.Time{}, false
				}
				offset = off
			}
			if m[6] >= 0 {
				h, _ := strconv.Atoi(s[m[8]:m[9]])
				mins := 0
				if m[10] >= 0 {
					mins, _ = strconv.Atoi(s[m[10]:m[11]])
				}
				if h > 14 || mins > 59 {
					return time.Time{}, false
				}
				off := h*60 + mins
				if s[m[6]:m[7]] == "-" {
					off = -off
				}
				offset += off
			}
			hasZone = true
			s = strings.TrimSpace(s[:m[3]]) // keep the time (and AM/PM) the zone followed
		}
	}
	s = sepRE.ReplaceAllString(s, " ")
	if hasZone {
		sign := '+'
		o := offset
		if o < 0 {
			sign, o = '-', -o
		}
		s += " " + string(sign) + twoDigits(o/60) + twoDigits(o%60)
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range dateLayouts {
		if hasZone != strings.HasSuffix(layout, "-0700") || !mayFit(layout, s) {
			continue
		}
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// mayFit is a necessary condition for time.Parse(layout, s) to succeed,
// for the layouts parseDate uses: a layout starting with a number ("2006",
// "2", "1", "02") needs s to start with a digit, one starting with a name
// ("Jan", "Mon") a letter; a layout starting with a four-digit year needs
// the character after it in the same place; "Mon, " a comma after three
// letters.
func mayFit(layout, s string) bool {
	if s == "" || layout == "" {
		return layout == s
	}
	digit := func(c byte) bool { return '0' <= c && c <= '9' }
	letter := func(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
	switch {
	case digit(layout[0]):
		if !digit(s[0]) {
			return false
		}
		if strings.HasPrefix(layout, "2006") && len(layout) > 4 {
			return len(s) > 4 && s[4] == layout[4]
		}
	case letter(layout[0]):
		if !letter(s[0]) {
			return false
		}
		if strings.HasPrefix(layout, "Mon, ") {
			return len(s) > 3 && s[3] == ','
		}
	}
	return true
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
