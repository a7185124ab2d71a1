package cluster

// isStop reports whether a folded word is an English function word, a
// reporting verb or a time word: words that say nothing about which event a
// text reports.
func isStop(w string) bool {
	switch w {
	case "a", "about", "above", "according", "across", "added", "adding", "afp", "after", "afterwards", "again",
		"against", "ago", "all", "almost", "along", "already", "also", "although", "always", "am", "amid", "among",
		"an", "and", "another", "any", "anyone", "anything", "ap", "are", "around", "as", "at", "away", "back",
		"be", "became", "because", "become", "been", "before", "being", "below", "between", "both", "but", "by",
		"can", "cannot", "cent", "could", "d", "day", "days", "did", "do", "does", "doing", "done", "down", "dr",
		"during", "each", "either", "else", "even", "ever", "every", "few", "for", "former", "from", "further",
		"had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
		"however", "i", "if", "in", "including", "into", "is", "it", "its", "itself", "just", "last", "later",
		"least", "less", "like", "ll", "m", "made", "make", "many", "may", "me", "meanwhile", "might", "month",
		"months", "more", "most", "mr", "mrs", "ms", "much", "must", "my", "myself", "near", "neither", "never",
		"nevertheless", "new", "news", "next", "no", "nor", "not", "nothing", "now", "of", "off", "often", "on",
		"once", "one", "only", "onto", "or", "other", "others", "otherwise", "our", "ours", "ourselves", "out",
		"over", "own", "per", "percent", "perhaps", "please", "rather", "re", "report", "reported", "reports",
		"reuters", "s", "said", "same", "say", "saying", "says", "see", "seem", "seemed", "several", "she",
		"should", "since", "so", "some", "st", "still", "such", "t", "tass", "tell", "than", "that", "the",
		"their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "though",
		"through", "throughout", "thus", "time", "times", "to", "today", "together", "told", "tomorrow", "too",
		"toward", "towards", "under", "until", "up", "upon", "us", "ve", "very", "via", "was", "we", "week",
		"weeks", "well", "were", "what", "whatever", "when", "where", "whether", "which", "while", "who", "whom",
		"whose", "why", "will", "with", "within", "without", "would", "year", "years", "yesterday", "yet", "you",
		"your", "yours", "yourself":
		return true
	}
	return false
}

// isCalendar reports whether a folded word names a weekday or a month:
// capitalised in English, but no actor.
func isCalendar(w string) bool {
	switch w {
	case "apr", "april", "aug", "august", "dec", "december", "feb", "february", "friday", "jan", "january",
		"jul", "july", "jun", "june", "mar", "march", "may", "monday", "nov", "november", "oct", "october",
		"saturday", "sep", "sept", "september", "sunday", "thursday", "tuesday", "wednesday":
		return true
	}
	return false
}
