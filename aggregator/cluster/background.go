package cluster

// The background model: features that are frequent in any news stream,
// whatever its topic — countries, capitals and their adjectives,
// institutions, the vocabulary of war, diplomacy and politics. Until the
// index has seen enough documents to know better, they count as present in
// a large share of documents, so that two reports sharing only "Iran",
// "Russia", "drones" and "war" are not taken for one story.

// isCommonTerm reports whether a folded, plural-folded term is frequent in
// news in general.
func isCommonTerm(w string) bool {
	if w != stem(w) && isCommonTerm(stem(w)) {
		return true
	}
	switch w {
	case "accord", "accuse", "accused", "accusing", "across", "address", "administration", "afghanistan",
		"agencies", "agency", "agreed", "agreement", "aid", "air", "albania", "algeria", "allegation",
		"allegations", "alleged", "allegedly", "alliance", "allies", "ally", "america", "american", "americans",
		"ankara", "announce", "announced", "announcement", "another", "answer", "area", "areas", "armed",
		"armenia", "arms", "army", "around", "ask", "asked", "asking", "attack", "attacked", "attacks", "attempt",
		"attempts", "australia", "austria", "authorities", "authority", "azerbaijan", "bad", "baghdad", "bahrain",
		"ban", "banned", "battle", "battlefield", "began", "begin", "beijing", "beirut", "belarus", "belgium",
		"berlin", "big", "billion", "billions", "border", "borders", "bought", "brazil", "britain", "british",
		"brussels", "bulgaria", "buy", "call", "called", "calls", "came", "canada", "canadian", "capital", "case",
		"cases", "ceasefire", "central", "chief", "child", "children", "china", "chinese", "cities", "city",
		"civilian", "civilians", "claim", "claimed", "claims", "clear", "clearly", "come", "comment", "commented",
		"comments", "committee", "companies", "company", "concern", "concerned", "concerns", "conference",
		"confirm", "confirmed", "conflict", "continue", "continued", "continues", "continuing", "cooperation",
		"cost", "costs", "council", "countries", "country", "court", "crisis", "croatia", "cuba", "current",
		"cyprus", "czech", "damage", "damaged", "damascus", "danger", "dangerous", "data", "day", "days", "dead",
		"deal", "deals", "death", "deaths", "decide", "decided", "decision", "defence", "defense", "deliver",
		"delivered", "deliveries", "delivery", "denied", "denies", "denmark", "deny", "deputy", "despite",
		"destroy", "destroyed", "detail", "details", "different", "direct", "directly", "director", "discuss",
		"discussed", "discussion", "down", "dozen", "dozens", "drone", "drones", "early", "east", "eastern",
		"economic", "economy", "effort", "efforts", "egypt", "egyptian", "eight", "election", "elections", "end",
		"ended", "energy", "equipment", "estonia", "eu", "europe", "european", "evening", "evidence", "expect",
		"expected", "expects", "export", "exports", "face", "faced", "facilities", "facility", "facing", "fall",
		"families", "family", "fell", "fight", "fighter", "fighters", "fighting", "finland", "firm", "first",
		"five", "following", "force", "forces", "foreign", "former", "four", "france", "french", "front",
		"frontline", "fund", "funds", "further", "g7", "gas", "gave", "georgia", "german", "germany", "get",
		"give", "given", "global", "going", "good", "got", "government", "great", "greece", "greek", "grew",
		"ground", "group", "groups", "grow", "growing", "half", "head", "held", "help", "helped", "high", "higher",
		"hold", "home", "homes", "hour", "hours", "house", "houses", "hundred", "hundreds", "hungary", "import",
		"imports", "include", "included", "including", "increase", "increased", "india", "indian", "indonesia",
		"information", "infrastructure", "injured", "intelligence", "international", "interview", "invasion",
		"iran", "iranian", "iranians", "iraq", "iraqi", "ireland", "irgc", "israel", "israeli", "issue", "issued",
		"issues", "italian", "italy", "japan", "japanese", "jordan", "journalist", "journalists", "kazakhstan",
		"keep", "kept", "key", "kiev", "kill", "killed", "killing", "korea", "korean", "kremlin", "kuwait", "kyiv",
		"land", "large", "last", "late", "latvia", "launch", "launched", "law", "laws", "lead", "leader",
		"leaders", "leadership", "leading", "lebanese", "lebanon", "led", "level", "levels", "libya", "life",
		"likely", "lithuania", "live", "lives", "london", "long", "low", "lower", "made", "main", "major", "make",
		"making", "man", "measure", "measures", "media", "meeting", "meetings", "member", "members", "men",
		"military", "million", "millions", "minister", "ministry", "minsk", "minute", "minutes", "missile",
		"missiles", "moldova", "money", "month", "months", "morning", "moscow", "move", "moved", "nation",
		"national", "nations", "nato", "need", "needed", "negotiation", "negotiations", "netherlands", "news",
		"night", "nine", "north", "northern", "norway", "nuclear", "number", "numbers", "office", "official",
		"officials", "oil", "oman", "order", "ordered", "organisation", "organization", "other", "own", "pakistan",
		"palestine", "palestinian", "paris", "parliament", "part", "partner", "partners", "partnership", "parts",
		"peace", "pentagon", "people", "percent", "person", "persons", "phone", "place", "places", "plan",
		"planned", "plans", "point", "poland", "police", "policies", "policy", "polish", "politic", "political",
		"politics", "portugal", "possible", "potential", "power", "powers", "president", "press", "pressure",
		"previous", "price", "prices", "prime", "private", "process", "produce", "produced", "production",
		"program", "programme", "provide", "provided", "providing", "province", "public", "qatar", "question",
		"questions", "real", "recent", "recently", "region", "regional", "regions", "reject", "rejected",
		"relation", "relations", "relationship", "remain", "remained", "remaining", "repeatedly", "report",
		"reported", "reportedly", "reporter", "reporters", "reporting", "respond", "responded", "response",
		"restriction", "restrictions", "right", "rights", "rise", "rising", "risk", "risks", "riyadh", "role",
		"romania", "rose", "rule", "rules", "russia", "russian", "russians", "same", "sanction", "sanctioned",
		"sanctions", "saudi", "sea", "second", "security", "seek", "seeking", "sell", "selling", "senior",
		"serbia", "serious", "service", "services", "seven", "several", "short", "shot", "show", "showed", "shown",
		"side", "sides", "significant", "situation", "six", "slovakia", "small", "sold", "soldiers", "sought",
		"source", "sources", "south", "southern", "spain", "speech", "spokesman", "spokesperson", "spokeswoman",
		"start", "started", "state", "statement", "statements", "states", "step", "steps", "strike", "strikes",
		"struck", "summit", "supplied", "supplies", "supply", "support", "supported", "sweden", "switzerland",
		"syria", "syrian", "system", "systems", "taiwan", "tajikistan", "take", "taken", "talk", "talks", "target",
		"targeted", "targets", "tehran", "ten", "term", "terms", "third", "thousand", "thousands", "threat",
		"threaten", "threatened", "threats", "three", "ties", "time", "times", "today", "tomorrow", "took", "top",
		"total", "trade", "transfer", "transferred", "treaty", "tried", "trip", "troop", "troops", "try", "trying",
		"turkey", "turkish", "turkmenistan", "two", "uae", "uk", "ukraine", "ukrainian", "ukrainians", "un",
		"unit", "united", "units", "us", "usa", "use", "used", "using", "uzbekistan", "various", "venezuela",
		"video", "visit", "visited", "visiting", "want", "wanted", "war", "warn", "warned", "warning", "wars",
		"washington", "way", "ways", "weapon", "weapons", "week", "weekend", "weeks", "went", "west", "western",
		"woman", "women", "work", "worked", "working", "world", "wounded", "year", "years", "yemen", "yesterday":
		return true
	}
	return false
}

// isCommonEntity reports whether a joined multi-word name is frequent in
// news in general.
func isCommonEntity(name string) bool {
	switch name {
	case "defenceminister", "defenceministry", "defenseminister", "defenseministry", "europeanunion",
		"foreignminister", "foreignministry", "islamicrepublic", "kremlinspokesman", "middleeast", "primeminister",
		"revolutionaryguard", "revolutionaryguards", "secretarystate", "securitycouncil", "statedepartment",
		"unitednations", "unitedstates", "whitehouse":
		return true
	}
	return false
}
