#!/usr/bin/env python3
"""Generate labelled.jsonl, the labelled set of the cluster package's quality test.

Each line is one item: key, outlet, title, text (normalised plain text,
paragraphs separated by a blank line), published (RFC 3339), story (label of
the event it reports), dup (label of the near-duplicate group: items that are
copies of one text; "" when the item is no copy of another), split ("train"
or "heldout": thresholds are tuned on train only).

The items are built from the five seed articles (../../../../shared/seeds in
the workspace) and realistic variants written for this set: wire copies with
changed headlines and boilerplate, write-ups of one event in other words by
other outlets, events about the same actors on the same days, unrelated news.

Labelling rule: a story is one event and the direct reactions to it within a
day or two (Iran's rebuttal of the Burns interview, Zelensky's answer to
Iran's admission); a new statement, strike, sanctions round or meeting is a
new story, however alike its actors.

Splits: "train" tuned the thresholds; "heldout" was written with train,
before tuning, and kept out of it; "fresh" was written after the first tuning
round; "fresh2" after the final design and thresholds were frozen, and run
once. (Two fresh items, Zelensky's answer to Iran's admission, were
first labelled a story of their own, against the rule above; they were
relabelled after the first run showed them joined to the admission.)

Run: python3 gen_labelled.py > labelled.jsonl
"""
import json
import sys

ITEMS = []


def item(key, outlet, published, story, title, text, dup="", split="train"):
    paras = [p.strip() for p in text.strip().split("\n\n")]
    paras = [" ".join(p.split()) for p in paras if p]
    ITEMS.append(dict(key=key, outlet=outlet, title=title, text="\n\n".join(paras),
                      published=published, story=story, dup=dup, split=split))


def copy_of(src_key, key, outlet, published, title, edits=(), prefix="", suffix="", drop_last=0, split=None):
    """A syndicated copy of an earlier item: new headline, light edits,
    optional boilerplate before/after, optionally the last paragraphs cut."""
    src = next(i for i in ITEMS if i["key"] == src_key)
    text = src["text"]
    for old, new in edits:
        if old not in text:
            raise SystemExit(f"{key}: edit {old!r} not found in {src_key}")
        text = text.replace(old, new, 1)
    paras = text.split("\n\n")
    if drop_last:
        paras = paras[:-drop_last]
    if prefix:
        paras.insert(0, prefix)
    if suffix:
        paras.append(suffix)
    if not src["dup"]:
        src["dup"] = "d-" + src_key
    item(key, outlet, published, src["story"], title, "\n\n".join(paras), dup=src["dup"],
         split=split or src["split"])


# ---------------------------------------------------------------------------
# Story burns-interview (seeds 001, 003, 004): CIA director Burns tells PBS
# that Iran and Russia are moving toward a "full-fledged defense partnership".
# ---------------------------------------------------------------------------
item("ifp-burns", "Iran Front Page", "2022-12-17T08:40:00Z", "burns-interview",
     "CIA director says Iran-Russia cooperation “worrying”", """
CIA Director William Burns has expressed concern over the “growing cooperation between Tehran and Moscow” amid the Ukraine war. The White House is continuing to sound the alarm at the flourishing military partnership between Iran and Russia.

The director of the US Central Intelligence Agency (CIA) stated that Washington is concerned over the growing cooperation between Russia and Iran becoming a full defense partnership.

“What’s beginning to emerge is at least the beginnings of a full-fledged defense partnership between Russia and Iran, with the Iranians supplying drones to the Russians, which are killing Ukrainian civilians as we speak today, and the Russians beginning to look at ways in which, technologically or technically, they can support the Iranians, which poses real threats to Iran’s own neighborhood, to many of our friends and partners in Iran’s neighborhood as well,” Burns told PBS’s Judy Woodruff in an interview.

Both Tehran and Moscow have repeatedly denied claims that Iran has provided Russia with weapons to be used in the war in Ukraine.

Iranian officials have rejected claims about Tehran’s weapons sales to Russia to be used in the ongoing war against Ukraine, stressing such allegations are aimed at legitimizing the West’s military assistance to Kiev.

Foreign Minister Hossein Amirabdollahian has reiterated Iran’s opposition to the dispatch of weapons to the parties involved in the war which he said would only increase human losses and financial costs for both sides.

He added Tehran would continue its efforts to stop the war and promote lasting peace in Europe.

The Iranian foreign minister last month dismissed media controversy over Iran’s alleged support for Russia in the Ukraine war, adding, however, that Tehran had provided Moscow with a limited number of drones months before the war in Ukraine.

He also assured that Iran will not be indifferent if it is proven that Russia has used Iranian drones in the conflict.
""")

copy_of("ifp-burns", "tt-burns-copy", "Tehran Times", "2022-12-17T11:05:00Z",
        "US spy chief voices concern over Tehran-Moscow ties",
        edits=[("has expressed concern", "voiced concern"),
               ("The White House is continuing to sound the alarm", "The White House continues to sound the alarm")],
        suffix="Follow Tehran Times on Telegram and X for the latest news from Iran and the region.")

copy_of("ifp-burns", "pt-burns-copy", "Press TV", "2022-12-17T13:30:00Z",
        "CIA chief Burns alleges emerging Iran-Russia 'defense partnership'",
        edits=[("Both Tehran and Moscow have repeatedly denied", "Tehran and Moscow have both repeatedly denied")],
        drop_last=2,
        prefix="Press TV – The head of the American spy agency has once again raised the issue of Iran's ties with Russia.")

item("mt-raisi-permission", "The Moscow Times", "2022-12-18T14:20:00Z", "burns-interview",
     "Iran Says It Won't 'Seek Permission From Anyone' to Boost Russia Ties", """
Iran's Foreign Ministry said Sunday it would not "seek permission from anyone" to expand relations with Russia, dismissing U.S. concerns over a growing military partnership between Tehran and Moscow.

Western countries have accused Iran of supplying drones to Russia, allegedly used to attack Ukraine, and slapped sanctions on Tehran, which denies the allegations.

CIA chief William Burns told PBS television on Friday that the military cooperation between Iran and Russia "poses real threats" to U.S. allies in the Middle East.

Iran's Foreign Ministry spokesperson Nasser Kanani called the comments "baseless" and said they were part of a "U.S. propaganda war against Iran."

Tehran "acts independently in regulating its foreign relations and does not seek permission from anyone," Kanani said in a statement on Sunday, adding that Iran's "national interests" dictated its policies.

"Cooperation between Iran and Russia in various fields including defense is expanding within the framework of common interests ... and is not against any third country."

According to Kanani, "American officials continue their baseless political claims and illegal actions against the Islamic Republic of Iran, questioning the conventional defense and military cooperation between Iran and Russia."

White House national security spokesperson John Kirby on Dec. 9 called the Tehran-Moscow military partnership "harmful" to Ukraine, Iran's neighbors, and the world.

Last month, Tehran admitted it had sent drones to Russia but insisted they were supplied before the invasion of Ukraine began in February.
""")

item("mayadeen-burns", "Al Mayadeen English", "2022-12-17T16:10:00Z", "burns-interview",
     "Possible Russia-Iran defense partnership has US, Britain on edge", """
CIA Director William Burns claims a Russian-Iranian defense partnership can have a dangerous impact on the Middle East.

CIA Director William Burns pointed out on Friday that the US is concerned about the growing cooperation between Russia and Iran and fears that it could eventually evolve into a full defense partnership.

In an interview for PBS, Burns said that "historically, there's a lot of mistrust between Russians and Iranians, but they need each other right now."

"Quite worried," said the CIA director in response to a question about how worried is Washington about the Russian-Iranian relationship, adding that "what's beginning to emerge is at least the beginnings of a full-fledged defense partnership between Russia and Iran."

He claimed that this relationship is "already having an impact on the battlefield in Ukraine," warning that "it can have an even more dangerous impact on the Middle East as well if it continues."

"It's something that we take very, very seriously," Burns pointed out.

It is noteworthy that Iranian Defense Minister Mohammad-Reza Ashtiani pointed out on Monday that Kiev failed to provide concrete evidence proving that Iran had supplied drones to Russia.

According to Ashtiani, Iran and Russia have a trade and military history that stretches back for decades, but they have never discussed supplying Iranian-made drones to be used in Russia's special operation in Ukraine.

Last month, Iran's permanent mission to the UN requested to meet with Ukraine experts to provide Tehran with valid proof that Iran had supplied drones to Russia for combat use against Kiev's forces. Their failure to do so validates that the allegations were deliberately fabricated by Kiev to discredit and demonize Iran.

Ever since the White House issued in July a statement that Iran is planning to supply Russia with hundreds of drones, the West has repeatedly accused Iran of aiding Russia in its combat efforts, despite Moscow denying allegations that it received drones from Iran for combat-related use.

Iranian Foreign Minister Hossein Amir-Abdollahian had confirmed that Iran did provide a small batch of drones to Russia, but that was before the Ukraine conflict broke out.

UK: Russia-Iran "sordid deals" threatening global security

In a related context, UK Foreign Secretary James Cleverly claimed that "sordid deals" between Russia and Iran are threatening global security.

In a press release published on the website of the UK government, Cleverly accused Iran of providing Russia with hundreds of drones to use in Ukraine, adding that Tehran "is now one of Russia’s top military backers."

"The UK will continue to expose this desperate alliance and hold both countries to account," Cleverly said.
""")

item("ap-burns", "AP", "2022-12-16T23:15:00Z", "burns-interview",
     "CIA chief: Russia and Iran edging toward full-fledged defense pact", """
WASHINGTON (AP) — The director of the CIA said Friday that Moscow and Tehran are building what could become a full-fledged defense partnership, a development he described as a growing danger to Ukraine and to countries across the Middle East.

In an interview broadcast by PBS NewsHour, William Burns said Iranian drones sold to Moscow are "killing Ukrainian civilians as we speak today," and that Russian help for Iran's military programs in return would pose real threats to Tehran's neighbors.

Burns told interviewer Judy Woodruff that Washington was "quite worried" about the relationship, while adding that decades of mistrust still divide the two governments.

The spy chief also said he saw no sign that Russian President Vladimir Putin was serious about negotiations to end the war, and that the pace of fighting was likely to slow over the winter.
""")

item("kyivind-burns", "Kyiv Independent", "2022-12-17T07:45:00Z", "burns-interview",
     "CIA head Burns warns of Russia-Iran defense partnership forged by Shahed supplies", """
CIA Director William Burns said on Dec. 16 that Russia and Iran are moving toward a "full-fledged defense partnership," pointing to the Shahed drones Tehran has shipped to Moscow for attacks on Ukrainian cities.

Speaking to PBS journalist Judy Woodruff, Burns said the Kremlin was looking for ways to repay Iran with military technology, which he said would threaten Iran's neighbors and U.S. partners in the region.

Ukraine's Air Force says it has shot down hundreds of the Iranian-designed loitering munitions since September, most of them over Kyiv, Odesa and the central regions.
""")

# Different event, same actors, same days: John Kirby's White House briefing (Dec 9).
item("reuters-kirby", "Reuters", "2022-12-09T19:30:00Z", "kirby-partnership",
     "White House says Russia offering Iran unprecedented military support", """
WASHINGTON, Dec 9 (Reuters) - Russia is offering Iran an unprecedented level of military and technical support that is transforming their relationship into a full-fledged defense partnership, White House national security spokesman John Kirby said on Friday.

Kirby told reporters at the White House that Moscow and Tehran were considering a joint production line for lethal drones and that Russia could supply Iran with Su-35 fighter jets within the next year.

"This partnership poses a threat to Ukraine, to Iran's neighbors in the region and to the international community," Kirby said, calling the arrangement harmful.

The United States will use every tool at its disposal to expose and disrupt these activities, he said, adding that new sanctions on Iranian and Russian entities would follow.
""")

item("mt-kirby", "The Moscow Times", "2022-12-10T09:10:00Z", "kirby-partnership",
     "Russia Could Supply Iran With Su-35 Fighter Jets, White House Says", """
Russia could deliver advanced Su-35 fighter jets to Iran as soon as next year as the two countries deepen military cooperation, White House spokesman John Kirby said Friday.

According to Kirby, Moscow and Tehran are also weighing a joint production line for drones on Russian territory. He called the Russia-Iran relationship "harmful" to Ukraine and to Iran's neighbors.

Iranian pilots reportedly began training on the Su-35 in the spring, Kirby said, citing U.S. intelligence.

The Kremlin did not comment on the claims.
""")

item("alarabiya-kirby", "Al Arabiya English", "2022-12-10T06:00:00Z", "kirby-partnership",
     "US: Iran and Russia plan joint drone production line, Su-35 deliveries", """
The White House said on Friday that Iran and Russia are considering building a joint drone production line in Russia and that Moscow may provide Tehran with Su-35 fighter aircraft.

National Security Council spokesman John Kirby described a military relationship that has become a two-way street, with Russia providing Iran with advanced components in exchange for the drones and ammunition it needs in Ukraine.

Kirby said Washington would respond with sanctions and would share intelligence with partners in the Gulf.
""")

# Different event: UK Foreign Secretary Cleverly's statement and UK sanctions (Dec 2022).
item("gov-cleverly", "Asharq Al-Awsat", "2022-12-20T10:15:00Z", "cleverly-sordid",
     "UK's Cleverly Says Russia-Iran 'Sordid Deals' Threaten Global Security", """
British Foreign Secretary James Cleverly said on Tuesday that the "sordid deals" between Russia and Iran were a threat to international security, as London announced sanctions on Iranian individuals and companies involved in drone production.

"Iran is now one of Russia's top military backers," Cleverly said in a statement, accusing Tehran of supplying hundreds of drones that Moscow has used to strike Ukraine's power grid.

The UK sanctions target the Qods Aviation Industries drone maker and three senior commanders of the Islamic Revolutionary Guard Corps.

"The UK will continue to expose this desperate alliance and hold both countries to account," Cleverly added.
""")

item("rferl-cleverly", "Radio Free Europe", "2022-12-20T13:40:00Z", "cleverly-sordid",
     "Britain Sanctions Iranian Drone Makers, Cleverly Condemns 'Desperate Alliance' With Moscow", """
Britain has imposed sanctions on Iranian drone manufacturer Qods Aviation Industries and several Revolutionary Guard commanders, with Foreign Secretary James Cleverly describing the Russia-Iran relationship as a desperate alliance built on sordid deals.

The British government said Russia intends to provide Iran with more advanced military components in return for drones, which would strengthen Tehran's weapons capability and increase the risk to partners in the Middle East.

Cleverly said Iran had become one of Russia's top military backers since the invasion of Ukraine.
""")

item("ifp-cleverly", "Iran Front Page", "2022-12-21T08:00:00Z", "cleverly-sordid",
     "Iran summons UK chargé d’affaires over new anti-Tehran sanctions", """
The Iranian Foreign Ministry summoned the UK's chargé d'affaires in Tehran on Wednesday to protest at London's new sanctions on Iranian drone manufacturer Qods Aviation Industries and several IRGC commanders.

The ministry also condemned remarks by British Foreign Secretary James Cleverly, who had accused Iran of "sordid deals" with Russia, calling them interventionist and baseless.

Iran says it has not supplied drones for use in the war in Ukraine.
""")

# ---------------------------------------------------------------------------
# Story blinken-appalling (seed 002): Blinken in Ottawa calls Russia's use of
# Iranian drones "appalling".
# ---------------------------------------------------------------------------
item("mt-blinken", "The Moscow Times", "2022-10-27T18:00:00Z", "blinken-appalling",
     "Russia's Use of Iranian Drones in Ukraine 'Appalling': Blinken", """
Russia's use of Iranian drones in Ukraine is "appalling," U.S. Secretary of State Antony Blinken said Thursday, adding that the United States and allies would seek to block such shipments.

Russia has used the drones to "kill Ukrainian civilians and destroy the infrastructure they rely on for electricity, for water, for heat. It's appalling," Blinken said during a visit to Ottawa.

"Canada and the United States will keep working with our allies and partners to expose, to deter and to counter Iran's provision of these weapons," he vowed.

Kyiv and its Western allies have repeatedly accused Moscow of using Iranian-made drones in attacks on Ukraine in recent weeks.

Ukraine has said around 400 Iranian drones have already been used against the civilian population of Ukraine, and Moscow has ordered around 2,000.

Tehran has rejected the allegation, its Foreign Minister Hossein Amir-Abdollahian saying this week: "We have not supplied Russia with any weapons or drones for use in the war against Ukraine."

"If... it becomes clear to us that Russia has used Iranian drones in the war against Ukraine, we will definitely not be indifferent about this issue," he added.

The United States, alongside Britain and the European Union, have already imposed sanctions on Iran over the issue of drones.

Last month, Kyiv decided to significantly reduce its diplomatic relations with Tehran over alleged arms deliveries to Moscow.
""")

copy_of("mt-blinken", "barrons-blinken", "Barron's", "2022-10-27T17:20:00Z",
        "Blinken Says Russian Use Of Iran Drones 'Appalling'",
        edits=[("U.S. Secretary of State Antony Blinken said Thursday", "US Secretary of State Antony Blinken said Thursday")],
        prefix="(AFP) -",
        suffix="© Agence France-Presse")

copy_of("mt-blinken", "f24-blinken", "France 24", "2022-10-27T19:05:00Z",
        "US slams Russia's 'appalling' use of Iranian drones against Ukraine",
        edits=[("he vowed", "the top US diplomat vowed"),
               ("Last month, Kyiv decided", "In September, Kyiv decided")],
        drop_last=1,
        suffix="Read more: Ukraine says Iranian instructors are helping Russia operate drones in Crimea")

item("up-blinken", "Ukrainska Pravda", "2022-10-28T07:30:00Z", "blinken-appalling",
     "Blinken in Ottawa: Iran's drone deliveries to Russia are appalling", """
US Secretary of State Antony Blinken, speaking alongside Canadian Foreign Minister Melanie Joly in Ottawa, condemned Moscow's strikes with Iranian Shahed drones on Ukrainian power plants and water supplies as "appalling".

Blinken said Washington and Ottawa would work with allies to expose and counter Tehran's weapons shipments, and Joly announced that Canada was preparing new sanctions on Iranian officials.

According to Ukrainian intelligence, Russia has ordered about 2,000 drones from Iran.
""")

item("meduza-blinken", "Meduza", "2022-10-28T10:00:00Z", "blinken-appalling",
     "Blinken on Shaheds: Washington and Ottawa will try to block Iranian shipments to Russia", """
Speaking in Ottawa next to his Canadian counterpart Melanie Joly, Antony Blinken said the attacks Russia carries out with Iranian drones on Ukraine's electricity, water and heating systems were appalling, and promised to deter and counter Iran's provision of the weapons.

Iran's foreign minister Amir-Abdollahian insists his country did not send any drones for the war.
""")

# Different event, same actors, days before: Amir-Abdollahian's denial interview.
item("irna-aa-denial", "Tehran Times", "2022-10-24T09:00:00Z", "amirabdollahian-denial",
     "Amirabdollahian: Iran has not given Russia any drones for use in Ukraine", """
Iranian Foreign Minister Hossein Amirabdollahian said on Monday that Tehran has not supplied Russia with weapons or drones for use in the war in Ukraine, and offered to examine any evidence Kyiv presents.

In a phone call with his Portuguese counterpart Joao Gomes Cravinho, Amirabdollahian said Iran's position on the war is clear and that it opposes the arming of either side.

He said Iran had agreed with the Ukrainian side to hold a meeting of military experts to review the claims, but Kyiv had failed to attend.
""")

item("aljazeera-aa-denial", "Al Jazeera", "2022-10-24T15:30:00Z", "amirabdollahian-denial",
     "Iran FM tells Portugal Tehran ready to review Ukraine's drone evidence", """
Iran is ready to sit down with Ukrainian experts to review evidence that Iranian-made drones are being used by Russian forces, Foreign Minister Hossein Amir-Abdollahian told Portugal's foreign minister, Joao Cravinho, in a call on Monday.

Amir-Abdollahian repeated that Tehran had not sent drones for the war, and said Ukraine had skipped a planned meeting of experts from both countries.
""")

# ---------------------------------------------------------------------------
# Drone strikes on Kyiv on different days: same actors, different events.
# ---------------------------------------------------------------------------
item("kyivind-strike-1017", "Kyiv Independent", "2022-10-17T08:30:00Z", "kyiv-strike-oct17",
     "Russia attacks Kyiv with Iranian-made kamikaze drones, 4 killed", """
Russia launched a wave of Iranian-made Shahed-136 kamikaze drones at Kyiv on the morning of Oct. 17, hitting a residential building in the Shevchenkivskyi district and killing at least four people, including a pregnant woman, Mayor Vitali Klitschko said.

Air defenses shot down several drones over the capital. Explosions were heard around 6:35 a.m. and again shortly before 7 a.m.

President Volodymyr Zelensky said Russia was attacking cities in desperation and that Ukraine's air defense had destroyed 28 drones overnight.
""")

item("reuters-strike-1017", "Reuters", "2022-10-17T10:05:00Z", "kyiv-strike-oct17",
     "Kamikaze drones hit Kyiv residential building, Klitschko says four dead", """
KYIV, Oct 17 (Reuters) - Kamikaze drones struck a residential building in central Kyiv on Monday, killing four people including a young couple and a pregnant woman, Mayor Vitali Klitschko said, a week after Russian missile strikes on the capital.

Ukraine says the drones are Iranian-made Shahed-136s, which Kyiv calls "mopeds" because of the sound of their engines. Iran denies supplying them.

Zelenskiy said 28 drones had been shot down across Ukraine overnight.
""")

item("up-strike-1017", "Ukrainska Pravda", "2022-10-17T12:20:00Z", "kyiv-strike-oct17",
     "Shahed drones strike Shevchenkivskyi district: rescuers pull bodies from rubble", """
Rescuers recovered the bodies of four people from a building in Kyiv's Shevchenkivskyi district that was hit by a Shahed-136 drone on Monday morning, the State Emergency Service reported.

Klitschko called on residents to stay in shelters. In total, 28 Iranian drones were destroyed by Ukrainian forces on the night of 17 October, according to Zelensky.
""")

item("kyivind-strike-1219", "Kyiv Independent", "2022-12-19T07:50:00Z", "kyiv-strike-dec19",
     "Russia launches 35 Shahed drones at Kyiv, hitting critical infrastructure", """
Russia attacked Kyiv with 35 Iranian-made Shahed drones overnight on Dec. 19, damaging critical infrastructure facilities in the Solomianskyi and Shevchenkivskyi districts, Kyiv Oblast Governor Oleksii Kuleba said.

Ukraine's Air Force reported that 30 of the drones were shot down. Emergency power outages were introduced in the capital and the surrounding region.

It was the third drone attack on Kyiv in December.
""")

item("reuters-strike-1219", "Reuters", "2022-12-19T09:40:00Z", "kyiv-strike-dec19",
     "Drones hit Kyiv energy facilities in pre-dawn attack, power cut", """
KYIV, Dec 19 (Reuters) - Russia launched a pre-dawn wave of drones at Kyiv on Monday, hitting energy infrastructure and causing emergency power cuts, officials said, as Moscow pressed its campaign against Ukraine's power grid.

Ukraine's air force said it had shot down 30 of 35 Iranian-made Shahed drones launched from the east of the Sea of Azov.

Kyiv Mayor Vitali Klitschko said there were no casualties reported in the city.
""")

item("mt-strike-1219", "The Moscow Times", "2022-12-19T12:00:00Z", "kyiv-strike-dec19",
     "Drone Attack Knocks Out Power in Kyiv Region", """
A Russian drone attack damaged energy facilities around Kyiv overnight Monday, Ukrainian officials said, leaving parts of the region without electricity.

The Ukrainian air force said 30 of 35 Shahed drones were intercepted, and governor Oleksii Kuleba said infrastructure in the region had been damaged.
""")

item("odesa-strike-1210", "Ukrainska Pravda", "2022-12-10T09:20:00Z", "odesa-strike-dec10",
     "Shahed attack leaves 1.5 million people in Odesa region without power", """
Russian Shahed drones struck two energy facilities in the Odesa region on the night of Dec. 10, leaving more than 1.5 million residents without electricity, Governor Maksym Marchenko said.

Ukraine's Air Force said it shot down 10 of the 15 Iranian drones launched from the east coast of the Sea of Azov. Zelensky said all of Odesa and most of the region remained without power.
""")

item("rferl-odesa-1210", "Radio Free Europe", "2022-12-10T14:45:00Z", "odesa-strike-dec10",
     "Iranian-Made Drones Plunge Odesa Into Darkness", """
More than 1.5 million people in the southern Odesa region were left without electricity after Russia used Iranian-made drones to hit energy infrastructure, regional governor Maksym Marchenko said on December 10.

President Volodymyr Zelenskiy said repairs could take several days, while the energy company DTEK said the damage in Odesa was severe.
""", split="heldout")

# ---------------------------------------------------------------------------
# Sanctions rounds: different rounds, same actors.
# ---------------------------------------------------------------------------
item("eu-sanctions-1212", "Radio Free Europe", "2022-12-12T16:30:00Z", "eu-sanctions-dec12",
     "EU Sanctions Iranians Over Drone Supplies To Russia, Crackdown On Protesters", """
European Union foreign ministers meeting in Brussels on December 12 agreed to impose sanctions on four Iranian entities and individuals involved in producing and supplying drones used by Russia in Ukraine, along with a fresh round of measures over Tehran's crackdown on protesters.

Those targeted include Shahed Aviation Industries and senior officers of the IRGC aerospace force, according to the EU's Official Journal.

EU foreign policy chief Josep Borrell said the bloc would keep adding names as long as Iran keeps helping Russia's war effort.
""")

item("asharq-eu-sanctions-1212", "Asharq Al-Awsat", "2022-12-12T18:00:00Z", "eu-sanctions-dec12",
     "EU Adds Iranian Drone Makers to Sanctions List", """
The European Union on Monday added Shahed Aviation Industries and three IRGC commanders to its sanctions list over the supply of drones to Russia, in a decision taken by foreign ministers in Brussels.

Josep Borrell, the bloc's top diplomat, told reporters that Iran's support for Russia's war could not go unanswered. The ministers also agreed measures against 20 Iranians over the repression of protests.
""")

item("ifp-eu-sanctions-1213", "Iran Front Page", "2022-12-13T07:15:00Z", "eu-sanctions-dec12",
     "Iran vows reciprocal action after EU sanctions over drones, protests", """
Iran's Foreign Ministry spokesman Nasser Kanani condemned on Tuesday the new EU sanctions against Iranian individuals and entities, including Shahed Aviation Industries, and said Tehran would respond in kind.

Kanani said Josep Borrell and the EU foreign ministers had made a decision based on false claims about drones in Ukraine.
""")

item("treasury-sanctions-0106", "Reuters", "2023-01-06T17:20:00Z", "us-sanctions-jan6", 
     "US sanctions Iranian drone maker executives over supplies to Russia", """
WASHINGTON, Jan 6 (Reuters) - The U.S. Treasury Department on Friday imposed sanctions on six executives and board members of Iran's Qods Aviation Industries, which it said produces drones that Russia is using to attack Ukrainian infrastructure.

Treasury's Office of Foreign Assets Control said the company designs and builds Mohajer-series and other unmanned aerial vehicles, and that Russia had used Iranian drones to target critical infrastructure in Ukraine.

Deputy Treasury Secretary Wally Adeyemo said Washington would continue to target every link in the supply chain.
""", split="heldout")

item("alarabiya-treasury-0106", "Al Arabiya English", "2023-01-06T19:00:00Z", "us-sanctions-jan6",
     "Washington targets board of Iran's Qods Aviation Industries", """
The US Treasury sanctioned six board members and executives of Iranian drone producer Qods Aviation Industries on Friday, accusing the firm of supplying unmanned aerial vehicles to Russia for its war in Ukraine.

Wally Adeyemo, the deputy Treasury secretary, said the United States would hold accountable those who enable Russia's brutal attacks.
""", split="heldout")

item("kyivind-treasury-0107", "Kyiv Independent", "2023-01-07T08:10:00Z", "us-sanctions-jan6",
     "US imposes sanctions on Iranian drone company's leadership", """
The U.S. Department of the Treasury on Jan. 6 sanctioned six senior executives of Iran's Qods Aviation Industries, a manufacturer of the Mohajer drones that Russia has used in Ukraine.

Deputy Secretary Wally Adeyemo said Iran's drones had been used to strike Ukraine's energy grid and that Treasury would target all involved in their production and delivery.
""", split="heldout")

# ---------------------------------------------------------------------------
# Raisi-Putin phone call (Dec 2022), held out.
# ---------------------------------------------------------------------------
item("tass-raisi-putin", "TASS", "2022-12-10T16:00:00Z", "raisi-putin-call",
     "Putin, Raisi discuss trade, energy and the North-South corridor by phone", """
Russian President Vladimir Putin and Iranian President Ebrahim Raisi held a telephone conversation on Saturday in which they discussed expanding trade, energy cooperation and the International North-South Transport Corridor, the Kremlin press service said.

The two leaders stressed the importance of the Rasht-Astara railway project and agreed to keep in contact at different levels.
""", split="heldout")

item("tehrantimes-raisi-putin", "Tehran Times", "2022-12-10T18:30:00Z", "raisi-putin-call",
     "Raisi, Putin stress implementation of Rasht-Astara railway in phone call", """
President Ebrahim Raeisi and his Russian counterpart Vladimir Putin on Saturday discussed bilateral economic ties, in particular the Rasht-Astara railway and the North-South transport corridor, in a phone conversation.

Raeisi said the two countries' cooperation in the energy field and in the corridor could neutralize the effect of the sanctions imposed by the West.
""", split="heldout")

# ---------------------------------------------------------------------------
# Story drones-talks (seed 000, first story, Aug 2023): the US asks Iran to
# stop selling drones to Russia (FT report) — and, same days, the prisoner
# deal (a distinct event about the same actors).
# ---------------------------------------------------------------------------
item("asharq-drones-talks", "Asharq Al-Awsat", "2023-08-24T07:30:00Z", "us-asks-stop-drones",
     "US Asks Iran to Stop Selling Drones to Russia", """
The US is pushing Iran to stop selling armed drones to Russia as part of discussions on a broader unwritten understanding between Washington and Tehran to de-escalate tensions, the Financial Times said on Wednesday, citing people briefed on the matter.

The US is pressing Iran to stop selling armed drones to Russia, which Moscow is using in the war in Ukraine, as well as spare parts for the unmanned aircraft, the report said, citing an Iranian official and another person familiar with the talks, said Reuters.

The White House and Iran's foreign ministry did not immediately respond to a Reuters request for comment.

The news comes as Washington and Iran are trying to ease tensions and revive broader talks over Iran's nuclear program. US Secretary of State Antony Blinken said on Tuesday that he would welcome any Iranian steps to de-escalate its "growing nuclear threat."

These discussions have taken place alongside the negotiations on a prisoner exchange deal last week, the newspaper said. Iran allowed four detained US citizens to move into house arrest from Tehran's Evin prison while a fifth was already under home confinement.

Last week, sources told Reuters that Iran may free five detained US citizens as part of a deal to unfreeze $6 billion in Iranian funds in South Korea.
""")

item("reuters-drones-talks", "Reuters", "2023-08-23T21:10:00Z", "us-asks-stop-drones",
     "US pressing Iran to stop selling drones to Russia - FT", """
Aug 23 (Reuters) - The U.S. is pressing Iran to stop selling armed drones to Russia, which Moscow is using in the war in Ukraine, as well as spare parts for the unmanned aircraft, the Financial Times reported on Wednesday, citing an Iranian official and another person familiar with the talks.

The discussions are part of a broader unwritten understanding between Washington and Tehran to de-escalate tensions, the newspaper said.

The White House and Iran's foreign ministry did not immediately respond to a Reuters request for comment.

These discussions have taken place alongside the negotiations on a prisoner exchange deal last week, the newspaper said.
""")

copy_of("reuters-drones-talks", "usnews-drones-talks", "US News", "2023-08-23T21:40:00Z",
        "US Pressing Iran to Stop Selling Drones to Russia: FT",
        edits=[("Aug 23 (Reuters) - ", "")],
        suffix="(Reporting by Kanishka Singh in Washington; Editing by Lincoln Feast.) Copyright 2023 Thomson Reuters.")

item("iranintl-drones-talks", "Iran International", "2023-08-24T10:00:00Z", "us-asks-stop-drones",
     "Washington wants Tehran to halt drone sales to Moscow in unwritten deal", """
Washington has asked the Islamic Republic to halt sales of armed drones and spare parts to Russia as part of an informal, unwritten arrangement to lower tensions, according to a report by the Financial Times citing an Iranian official.

Critics of the Biden administration say the understanding, which has not been announced publicly, rewards Tehran while it keeps supplying Moscow's war machine. Kyiv says Russia has launched more than 1,000 Iranian-designed Shahed drones at Ukrainian cities since last autumn.
""")

item("mt-drones-talks", "The Moscow Times", "2023-08-24T12:30:00Z", "us-asks-stop-drones",
     "U.S. Pushes Iran to Halt Drone Sales to Russia – FT", """
The United States is urging Iran to stop providing Russia with the armed drones it uses to strike Ukraine as part of a broader de-escalation between Washington and Tehran, the Financial Times reported Wednesday.

Neither the White House nor Iran's Foreign Ministry commented on the report, which said talks also covered spare parts for the Shahed drones.
""")

item("ap-prisoners-0810", "AP", "2023-08-10T20:00:00Z", "iran-prisoners-house-arrest",
     "Iran moves 4 detained Americans from Evin prison to house arrest", """
DUBAI, United Arab Emirates (AP) — Iran moved four Americans detained in Tehran from Evin prison to house arrest on Thursday, a first step toward a deal that could see them released in exchange for access to about $6 billion in Iranian assets frozen in South Korea.

A fifth American was already under house arrest. Lawyers for Siamak Namazi said the move was the beginning of the end of his ordeal.

Secretary of State Antony Blinken called it an encouraging step but said the Americans were not yet free.
""")

item("reuters-prisoners-0810", "Reuters", "2023-08-10T21:30:00Z", "iran-prisoners-house-arrest",
     "Iran releases five US citizens into house arrest in prelude to deal", """
Aug 10 (Reuters) - Iran has released four U.S. citizens from Evin prison into house arrest, in what their lawyers and U.S. officials described as a first step toward an agreement that would also unfreeze $6 billion in Iranian funds held in South Korea.

The Americans, including businessman Siamak Namazi, could be allowed to leave Iran once the funds are transferred to accounts in Qatar, sources said.
""")

item("iranintl-prisoners-0811", "Iran International", "2023-08-11T08:15:00Z", "iran-prisoners-house-arrest",
     "Namazi and three other Americans leave Evin for house arrest", """
Siamak Namazi and three other dual nationals held in Evin were moved to a hotel under guard on Thursday, a move their families said could lead to their release under a deal tied to $6 billion of Iranian oil revenue frozen in South Korea.

The funds would be transferred to Qatari banks and could only be used for humanitarian purchases, officials familiar with the negotiations said.
""")

item("mohajer10-0822", "Tehran Times", "2023-08-22T11:00:00Z", "mohajer-10-unveiled",
     "Iran unveils Mohajer-10 drone with 2,000-km range", """
Iran unveiled on Tuesday a new domestically-made Mohajer-10 drone with a range of 2,000 kilometers and a flight endurance of 24 hours, at a ceremony attended by President Ebrahim Raeisi on the occasion of Defense Industry Day.

The drone can carry a payload of up to 300 kilograms, state media said.
""", split="heldout")

item("iranintl-mohajer10-0822", "Iran International", "2023-08-22T13:30:00Z", "mohajer-10-unveiled",
     "Tehran shows off Mohajer-10 at Defense Industry Day, claims 24-hour endurance", """
The Islamic Republic showed off its Mohajer-10 unmanned aircraft on Defense Industry Day, claiming it can fly for 24 hours and reach targets 2,000 kilometers away, putting Israel within range.

Analysts note that earlier Mohajer-6 models have been supplied to Russia for use in Ukraine.
""", split="heldout")

# ---------------------------------------------------------------------------
# January 2025 (seed 000, second story, held out): Russia answers the UK-Ukraine
# 100-year partnership over the Sea of Azov; the signing itself and the
# Iran-Russia treaty the same days are distinct events.
# ---------------------------------------------------------------------------
item("asharq-azov", "Asharq Al-Awsat", "2025-01-18T12:00:00Z", "azov-zakharova",
     "Russia Says it Will Counter Any UK-Ukraine Cooperation in Sea of Azov", """
The Russian Foreign Ministry said on Saturday Ukraine and Britain "had no room" for cooperation in the Sea of Azov, commenting on a new 100-year partnership agreement between Kyiv and London the two countries' leaders announced on Thursday.

The Kremlin said on Friday that any placement of British military assets in Ukraine under the new agreement would be of concern to Moscow, in particular in the Sea of Azov, which Russia considers its own, and the ministry echoed those remarks.

"Any claims to this water area are a gross interference in the internal affairs of our country and will be firmly resisted," Foreign Ministry spokeswoman Maria Zakharova said in a comment posted on the ministry's website, Reuters reported.

The Azov Sea is bordered by southwest Russia, parts of southern Ukraine that Russia has seized in the war, and the Crimean peninsula that Moscow annexed from Ukraine in 2014.

Zakharova said the agreement itself was "worthless" for Russia, calling it "just another PR campaign" of Ukraine. Zakharova described the Sea of Azov as Russia's "internal sea".

British Prime Minister, Keir Starmer pledged on Thursday to work with Ukraine and allies on robust security guarantees if a ceasefire is negotiated with Russia, offering more support to President Volodymyr Zelenskiy with a 100-year partnership deal.

The agreement, announced in Kyiv during Starmer's first visit as prime minister, covered several areas, including boosting military cooperation to strengthen security in the Baltic Sea, Black Sea and Sea of Azov.
""", split="heldout")

copy_of("asharq-azov", "reuters-azov", "Reuters", "2025-01-18T10:30:00Z",
        "Russia says UK and Ukraine have 'no room' for cooperation in Sea of Azov",
        edits=[("Reuters reported.", "said."),
               ("British Prime Minister, Keir Starmer pledged", "British Prime Minister Keir Starmer pledged")],
        suffix="(Reporting by Reuters; Editing by Alex Richardson)")

item("kyivind-azov", "Kyiv Independent", "2025-01-18T15:20:00Z", "azov-zakharova",
     "Zakharova calls UK-Ukraine century partnership 'worthless', claims Azov as 'internal sea'", """
Russian Foreign Ministry spokesperson Maria Zakharova on Jan. 18 dismissed the 100-year partnership agreement signed by Kyiv and London as "worthless," and warned that any British military presence in the Sea of Azov would be resisted.

Zakharova claimed the Sea of Azov is Russia's "internal sea", although its northern shore belongs to Ukraine under international law and is only temporarily occupied.
""", split="heldout")

item("tass-azov", "TASS", "2025-01-18T09:00:00Z", "azov-zakharova",
     "Zakharova: UK-Kiev agreement gives no room for activity in Sea of Azov", """
MOSCOW, January 18. /TASS/. Russian Foreign Ministry Spokeswoman Maria Zakharova said the Sea of Azov is an internal sea of Russia, and London and Kiev have no room for any cooperation there under their so-called century partnership.

"Any claims to this water area are a gross interference in our internal affairs," the diplomat stressed.
""", split="heldout")

item("bbc-starmer-kyiv", "BBC", "2025-01-16T14:00:00Z", "starmer-100-year",
     "Starmer signs 100-year partnership with Ukraine on first Kyiv visit", """
Sir Keir Starmer has signed a 100-year partnership with Ukraine during his first visit to Kyiv as prime minister, promising that the UK will stand with Ukraine for generations.

The treaty covers defence, science, energy and trade, and includes cooperation on maritime security in the Black Sea, Baltic Sea and Sea of Azov. Starmer also pledged £40m for economic recovery.

President Volodymyr Zelensky laid a wreath with Starmer at the memorial wall of fallen defenders.
""", split="heldout")

item("up-starmer-kyiv", "Ukrainska Pravda", "2025-01-16T16:30:00Z", "starmer-100-year",
     "Zelensky and Starmer sign century-long partnership agreement in Kyiv", """
Ukrainian President Volodymyr Zelensky and British Prime Minister Keir Starmer on 16 January signed a 100-year partnership agreement between Ukraine and the United Kingdom in Kyiv.

Zelensky said the document includes a separate block on security in the Baltic Sea, Black Sea and Sea of Azov, and that the parties also discussed the possible deployment of foreign contingents after a ceasefire.
""", split="heldout")

item("treaty-0117", "Reuters", "2025-01-17T15:00:00Z", "iran-russia-treaty",
     "Putin and Pezeshkian sign Russia-Iran strategic partnership treaty", """
MOSCOW, Jan 17 (Reuters) - Russian President Vladimir Putin and Iranian President Masoud Pezeshkian signed a 20-year comprehensive strategic partnership treaty in the Kremlin on Friday, deepening military cooperation between two countries under Western sanctions.

The treaty does not contain a mutual defence clause, unlike the pact Moscow signed with North Korea, but commits each side not to help any aggressor that attacks the other.
""", split="heldout")

item("tehrantimes-treaty-0117", "Tehran Times", "2025-01-17T17:45:00Z", "iran-russia-treaty",
     "Pezeshkian, Putin ink comprehensive strategic partnership pact in Moscow", """
President Masoud Pezeshkian and his Russian counterpart Vladimir Putin signed the Comprehensive Strategic Partnership Treaty between Iran and Russia in Moscow on Friday, a 20-year document covering defense, energy, transport and finance.

Pezeshkian described the treaty as a new chapter in relations and said it was not directed against any third country.
""", split="heldout")

item("mt-treaty-0117", "The Moscow Times", "2025-01-17T18:30:00Z", "iran-russia-treaty",
     "Russia and Iran Sign 20-Year Partnership Treaty Without Mutual Defense Clause", """
Russia and Iran signed a 20-year strategic partnership treaty on Friday as Iranian President Masoud Pezeshkian visited Moscow, though the document stops short of a mutual defense commitment.

Putin said the comprehensive agreement would expand cooperation in the North-South transport corridor, gas supplies and nuclear energy.
""", split="heldout")

# ---------------------------------------------------------------------------
# Unrelated items on the same days (singletons).
# ---------------------------------------------------------------------------
item("ifp-hamas-sanctions", "Iran Front Page", "2022-12-17T06:00:00Z", "hamas-sanctions",
     "Hamas condemns US decision to sanction its senior leaders", """
Hamas has slammed the US Treasury Department's decision to sanction its senior leaders. The Palestinian resistance movement said the measures were a sign of Washington's complicity with the Israeli occupation and would not deter it.
""")

item("ifp-lebanon-un", "Iran Front Page", "2022-12-17T09:30:00Z", "lebanon-un-complaint",
     "Lebanon files new complaint with UN over Israel’s attacks", """
Beirut has filed a new complaint with the United Nations Security Council regarding Israel’s ongoing violations of Lebanese sovereignty, the foreign ministry said, citing repeated air space incursions over the south of the country.
""")

item("asharq-riyadh-tehran", "Asharq Al-Awsat", "2022-12-18T08:00:00Z", "tehran-riyadh-china",
     "Tehran, Riyadh announce commitment to China-brokered agreement", """
Tehran and Riyadh have reaffirmed their commitment to the China-brokered deal and to further consolidation of their relations, after a meeting of the trilateral committee in Beijing attended by deputy foreign ministers of Saudi Arabia, Iran and China.
""")

item("kyivind-survey", "Kyiv Independent", "2022-12-18T11:00:00Z", "ukraine-survey-talks",
     "More Ukrainians want talks with Russia to end war: Survey", """
More than half of Ukrainians want negotiations to end the war with Russia, according to a survey by the Kyiv International Institute of Sociology, a sharp change from last year when a large majority rejected any territorial concessions.
""")

item("mt-ruble", "The Moscow Times", "2022-12-19T15:00:00Z", "ruble-slide",
     "Ruble Slides to Weakest Level Since May as Oil Price Cap Bites", """
The Russian ruble fell past 68 to the dollar on Monday, its weakest level since May, as the G7 price cap on Russian seaborne oil and the EU embargo began to weigh on export revenues, analysts said.
""")

item("asharq-egypt-wheat", "Asharq Al-Awsat", "2023-08-23T09:00:00Z", "egypt-wheat",
     "Egypt Buys Russian Wheat in Direct Deal Outside Tender", """
Egypt's state grain buyer purchased 480,000 tons of Russian wheat in a direct deal, traders said, as Cairo seeks to secure supplies after the collapse of the Black Sea grain corridor.
""")

item("meduza-court", "Meduza", "2023-08-24T09:00:00Z", "moscow-court-journalist",
     "Moscow court extends arrest of journalist accused of 'fakes' about army", """
A Moscow court on Thursday extended the pre-trial detention of a journalist charged with spreading false information about the Russian army for another three months, her lawyer said.
""", split="heldout")

item("bbc-storm", "BBC", "2025-01-17T08:00:00Z", "uk-storm",
     "Storm brings snow and ice warnings across northern England", """
The Met Office has issued yellow warnings for snow and ice across northern England and Scotland, with travel disruption expected on roads and railways into the weekend.
""", split="heldout")

item("tehrantimes-football", "Tehran Times", "2025-01-18T19:00:00Z", "persepolis-football",
     "Persepolis beat Esteghlal in Tehran derby", """
Persepolis defeated Esteghlal 1-0 in the Tehran derby at Azadi Stadium on Saturday, moving two points clear at the top of the Persian Gulf Pro League.
""", split="heldout")

# More wire copies (near-duplicates) across the set.
copy_of("reuters-strike-1219", "usnews-strike-1219", "US News", "2022-12-19T10:15:00Z",
        "Russian Drones Hit Kyiv Energy Facilities, Causing Power Cuts",
        edits=[("KYIV, Dec 19 (Reuters) - ", "")],
        suffix="(Reporting by Pavel Polityuk; Editing by Philippa Fletcher) Copyright 2022 Thomson Reuters.")
copy_of("ap-prisoners-0810", "toi-prisoners-0810", "Times of Israel", "2023-08-10T22:10:00Z",
        "Tehran transfers four jailed US citizens to house arrest ahead of swap",
        edits=[("on Thursday", "on Thursday evening")],
        prefix="By AP and Times of Israel staff",
        suffix="Sign up for our daily Middle East newsletter and never miss our top stories.")
copy_of("treaty-0117", "barrons-treaty-0117", "Barron's", "2025-01-17T15:40:00Z",
        "Russia, Iran Seal 20-Year Strategic Pact",
        edits=[("MOSCOW, Jan 17 (Reuters) - ", ""), ("on Friday", "on Friday,")],
        suffix="Copyright 2025 Thomson Reuters. All rights reserved.")
copy_of("tass-raisi-putin", "sputnik-raisi-putin", "Sputnik", "2022-12-10T16:40:00Z",
        "Kremlin: Putin and Raisi Talk Transport Corridor, Energy",
        edits=[("the Kremlin press service said", "according to the Kremlin press service")])


# ---------------------------------------------------------------------------
# Split "fresh": written after the thresholds were frozen (never used for
# tuning), from other periods: Nov 2022 and Sep 2024.
# ---------------------------------------------------------------------------
item("reuters-admit-1105", "Reuters", "2022-11-05T11:30:00Z", "iran-admits-drones",
     "Iran says it supplied drones to Russia before Ukraine war", """
DUBAI, Nov 5 (Reuters) - Iran acknowledged for the first time on Saturday that it had supplied drones to Russia, but said they were sent before Moscow's invasion of Ukraine.

"We gave a limited number of drones to Russia months before the Ukraine war," Foreign Minister Hossein Amirabdollahian told reporters in Tehran, adding that Iran had not sent any missiles.

"If Ukraine has any evidence that Russia used Iranian drones in the war, they should provide it to us," he said. Tehran had previously denied sending any drones at all.
""", split="fresh")

copy_of("reuters-admit-1105", "usnews-admit-1105", "US News", "2022-11-05T12:00:00Z",
        "Iran Admits Sending Drones to Russia, Says It Was Before the War",
        edits=[("DUBAI, Nov 5 (Reuters) - ", "")],
        suffix="(Reporting by Dubai Newsroom; Editing by Alison Williams) Copyright 2022 Thomson Reuters.")

item("mt-admit-1105", "The Moscow Times", "2022-11-05T15:10:00Z", "iran-admits-drones",
     "Iran Admits Sending Drones to Russia Before Ukraine Invasion", """
Iran's top diplomat on Saturday admitted for the first time that Tehran had provided Russia with drones, while insisting the deliveries took place before the February invasion of Ukraine.

Hossein Amir-Abdollahian said only "a limited number" of drones were sent and that Iran would not stay indifferent if proof emerged that they were used against Ukraine.

Kyiv says Russia has launched hundreds of Iranian-made Shahed-136 drones at its energy facilities since September.
""", split="fresh")

item("ifp-admit-1105", "Iran Front Page", "2022-11-05T18:40:00Z", "iran-admits-drones",
     "FM: Iran sent a small number of drones to Russia months before Ukraine war", """
Iranian Foreign Minister Hossein Amirabdollahian says the Islamic Republic gave a limited number of drones to Russia months before the start of the Ukraine war, rejecting claims that Tehran has armed Moscow for the conflict.

Speaking to reporters on Saturday, Amirabdollahian said Iran had agreed with Kyiv to hold expert talks on the claims, and that the Ukrainian side had failed to show up.
""", split="fresh")

item("kyivind-zelensky-lying-1105", "Kyiv Independent", "2022-11-05T21:00:00Z", "iran-admits-drones",
     "Zelensky: Iran is lying, Ukraine destroys at least 10 Iranian drones every day", """
President Volodymyr Zelensky said in his nightly address on Nov. 5 that Tehran is lying about its drone supplies, stating that Ukraine's forces shoot down at least 10 Iranian drones every day.

"If Iran had not lied to the world, there would have been no need to destroy so many of its drones over our cities," Zelensky said, adding that Ukraine was collecting the wreckage as evidence.
""", split="fresh")

item("up-zelensky-lying-1106", "Ukrainska Pravda", "2022-11-06T07:30:00Z", "iran-admits-drones",
     "Zelensky says Ukraine downs ten Iranian drones a day, accuses Tehran of lies", """
Ukraine shoots down at least ten Iranian drones every day, President Zelensky said in his evening video address, accusing the Iranian leadership of lying to the world.

The president said the wreckage of Shahed drones collected across Ukraine proves that the supplies continue.
""", split="fresh")

item("reuters-kherson-1109", "Reuters", "2022-11-09T16:30:00Z", "kherson-withdrawal",
     "Russia orders withdrawal from west bank of Dnipro near Kherson", """
Nov 9 (Reuters) - Russia's defence minister Sergei Shoigu on Wednesday ordered troops to withdraw from the west bank of the Dnipro River near the city of Kherson, in one of Moscow's biggest retreats of the war.

General Sergei Surovikin, commander of Russian forces in Ukraine, told Shoigu on state television that it was no longer possible to supply the city.
""", split="fresh")

item("mt-kherson-1109", "The Moscow Times", "2022-11-09T17:15:00Z", "kherson-withdrawal",
     "Russia Announces Retreat From Kherson", """
Russian commander Sergei Surovikin proposed pulling forces back to the left bank of the Dnipro, and Defense Minister Sergei Shoigu agreed in a televised meeting on Wednesday, abandoning the only regional capital Moscow had captured since February.

Surovikin said the decision would save the lives of soldiers.
""", split="fresh")

item("kyivind-kherson-1109", "Kyiv Independent", "2022-11-09T19:00:00Z", "kherson-withdrawal",
     "Ukraine cautious after Shoigu orders pullout from Kherson", """
Ukrainian officials reacted with caution after Russian Defense Minister Sergei Shoigu ordered the withdrawal of troops from the right bank of the Dnipro in Kherson Oblast on Nov. 9.

Presidential adviser Mykhailo Podolyak said actions speak louder than words and that Ukraine sees no signs that Russia is leaving Kherson without a fight.
""", split="fresh")

item("ap-missiles-0910", "AP", "2024-09-10T13:00:00Z", "iran-missiles-russia",
     "Blinken says Iran has delivered ballistic missiles to Russia for use in Ukraine", """
LONDON (AP) — U.S. Secretary of State Antony Blinken said Tuesday that Russia has received shipments of Iranian close-range ballistic missiles and is likely to use them within weeks against Ukraine.

Speaking at a news conference in London with British Foreign Secretary David Lammy, Blinken said dozens of Russian military personnel had been trained in Iran to use the Fath-360 missile system.

Blinken announced new sanctions on Iran Air and said the transfers were a dramatic escalation.
""", split="fresh")

copy_of("ap-missiles-0910", "toi-missiles-0910", "Times of Israel", "2024-09-10T13:40:00Z",
        "Iran has shipped ballistic missiles to Russia, US says",
        edits=[("LONDON (AP) — ", ""), ("said Tuesday", "said on Tuesday")],
        suffix="Sign up for our daily Middle East newsletter and never miss our top stories.")

item("kyivind-missiles-0910", "Kyiv Independent", "2024-09-10T15:20:00Z", "iran-missiles-russia",
     "Russia received Iranian Fath-360 missiles, Blinken confirms in London", """
Russia has received Fath-360 close-range ballistic missiles from Iran, U.S. Secretary of State Antony Blinken confirmed during a visit to London on Sept. 10, warning they could be used against Ukraine within weeks.

Blinken and U.K. Foreign Secretary David Lammy are expected to travel to Kyiv together. Foreign Minister Dmytro Kuleba's successor Andrii Sybiha urged partners to lift restrictions on long-range strikes in response.
""", split="fresh")

item("mt-missiles-0910", "The Moscow Times", "2024-09-10T16:00:00Z", "iran-missiles-russia",
     "U.S. Says Russia Has Received Iranian Ballistic Missiles", """
Washington said Tuesday that Iran had transferred Fath-360 short-range ballistic missiles to Russia, with Secretary of State Antony Blinken warning in London that Moscow would use them in Ukraine in a matter of weeks.

The Kremlin declined to comment, while Britain, France and Germany said they would cancel air services agreements with Iran.
""", split="fresh")

item("iranintl-araghchi-0910", "Iran International", "2024-09-10T19:30:00Z", "iran-missiles-russia",
     "Araghchi rejects Blinken's ballistic missile claim as 'ugly propaganda'", """
Iran's Foreign Minister Abbas Araghchi rejected on Tuesday the claim by Antony Blinken that Iran had delivered Fath-360 ballistic missiles to Russia, calling it "ugly propaganda" meant to cover up Western arms shipments to Israel.

Iran Air, which was sanctioned by Washington and the E3 over the alleged transfers, said its European flights would be affected.
""", split="fresh")

item("reuters-moscow-drones-0910", "Reuters", "2024-09-10T08:30:00Z", "moscow-drone-attack",
     "Ukraine launches biggest drone attack on Moscow, one killed", """
MOSCOW, Sept 10 (Reuters) - Ukraine launched its largest drone attack on Moscow so far overnight, killing a woman in the Ramenskoye district, damaging dozens of homes and forcing the diversion of flights from three airports, Russian officials said.

Russia's defence ministry said air defences destroyed 144 Ukrainian drones over nine regions, 20 of them over the Moscow region.
""", split="fresh")

item("meduza-moscow-drones-0910", "Meduza", "2024-09-10T10:00:00Z", "moscow-drone-attack",
     "Drones hit apartment blocks in Ramenskoye as Moscow airports close", """
Drones struck residential buildings in Ramenskoye near Moscow overnight, killing one woman and injuring three people, regional governor Andrei Vorobyov said. The Domodedovo, Vnukovo and Zhukovsky airports suspended flights.

The Russian Defense Ministry said 144 drones were shot down across the country overnight.
""", split="fresh")

item("tehrantimes-pistachio-0910", "Tehran Times", "2024-09-10T09:00:00Z", "pistachio-exports",
     "Iran's pistachio exports rise 20 percent", """
Iran exported pistachios worth more than 1.1 billion dollars in the first five months of the Iranian calendar year, a 20 percent rise on the same period last year, customs data show. China and the UAE were the main buyers.
""", split="fresh")

item("bbc-royal-1105", "BBC", "2022-11-05T10:00:00Z", "uk-bonfire-night",
     "Bonfire night displays cancelled as energy costs soar", """
Several councils in England have cancelled their bonfire night firework displays this year, citing rising energy bills and the cost of stewarding events.
""", split="fresh")


# ---------------------------------------------------------------------------
# Split "fresh2": written after the final design and thresholds were frozen
# (00:47 UTC), run once; whatever it scores is reported. Feb 2023 and Oct 2024.
# ---------------------------------------------------------------------------
item("reuters-yelabuga-0205", "Reuters", "2023-02-05T19:40:00Z", "yelabuga-drone-factory",
     "Iran, Russia plan factory to build 6,000 drones in Russia - WSJ", """
Feb 5 (Reuters) - Iran and Russia are moving ahead with plans to build a factory in Russia that could make at least 6,000 Iranian-designed drones for the war in Ukraine, the Wall Street Journal reported on Sunday, citing officials from a country allied with the United States.

A high-level Iranian delegation visited the site at Yelabuga, about 600 miles east of Moscow, in January to finalise details, the newspaper said.

Reuters could not immediately verify the report.
""", split="fresh2")

copy_of("reuters-yelabuga-0205", "usnews-yelabuga-0205", "US News", "2023-02-05T20:15:00Z",
        "Iran and Russia Plan Drone Factory in Tatarstan, WSJ Reports",
        edits=[("Feb 5 (Reuters) - ", "")],
        suffix="(Reporting by Lisa Shumaker; Editing by Daniel Wallis) Copyright 2023 Thomson Reuters.")

item("mt-yelabuga-0206", "The Moscow Times", "2023-02-06T09:30:00Z", "yelabuga-drone-factory",
     "Russia and Iran to Build Drone Factory in Tatarstan's Alabuga Zone – WSJ", """
Moscow and Tehran plan to set up a plant in the Alabuga special economic zone in the town of Yelabuga in Tatarstan to produce Iranian-designed Shahed drones, The Wall Street Journal reported.

According to the newspaper, the factory could produce some 6,000 drones, and Iranian officials travelled to the site in early January. The Kremlin declined to comment.
""", split="fresh2")

item("kyivind-yelabuga-0206", "Kyiv Independent", "2023-02-06T11:00:00Z", "yelabuga-drone-factory",
     "WSJ: Russia, Iran plan plant to mass-produce Shahed drones in Tatarstan", """
Russia and Iran plan to build a plant in Russia's Republic of Tatarstan that would produce at least 6,000 drones of the type used to attack Ukrainian cities, the Wall Street Journal reported on Feb. 5.

Ukraine's Air Force spokesperson Yurii Ihnat said domestic production would let Moscow launch Shaheds more often and that Ukraine needs more air defense systems.
""", split="fresh2")

item("ifp-yelabuga-denial-0206", "Iran Front Page", "2023-02-06T14:00:00Z", "yelabuga-drone-factory",
     "Tehran dismisses WSJ report on drone factory in Russia as psychological warfare", """
Iran's Foreign Ministry spokesman Nasser Kanani has dismissed a report by the Wall Street Journal that Iran and Russia plan to build a factory in Tatarstan to make 6,000 drones, calling it part of the West's psychological warfare.

Kanani said Iran's defense cooperation with Russia is not aimed at the war in Ukraine.
""", split="fresh2")

item("treasury-paravar-0203", "Reuters", "2023-02-03T18:20:00Z", "us-sanctions-paravar",
     "US sanctions executives of Iranian drone maker Paravar Pars", """
WASHINGTON, Feb 3 (Reuters) - The U.S. Treasury Department on Friday imposed sanctions on eight senior executives of Iranian drone manufacturer Paravar Pars, which it said produces unmanned aerial vehicles for the Islamic Revolutionary Guard Corps.

Treasury said Iran's drones have been used by Russia against Ukraine's infrastructure, and Under Secretary Brian Nelson said Washington would keep targeting every part of the supply chain.
""", split="fresh2")

item("iranintl-paravar-0204", "Iran International", "2023-02-04T08:00:00Z", "us-sanctions-paravar",
     "Paravar Pars board hit by new US sanctions over drones", """
The United States has blacklisted eight board members and executives of Paravar Pars, an Iranian company that builds drones and engines for the Revolutionary Guards' aerospace program.

Under Secretary of the Treasury Brian Nelson said the designations target those who enable Russia's war in Ukraine.
""", split="fresh2")

item("reuters-nk-troops-1018", "Reuters", "2024-10-18T06:30:00Z", "north-korea-troops-russia",
     "North Korea sent 1,500 special forces to Russia, South Korea's spy agency says", """
SEOUL, Oct 18 (Reuters) - North Korea has sent 1,500 special forces troops to Russia's Far East for training and they are likely to be deployed in the war in Ukraine, South Korea's National Intelligence Service said on Friday.

The NIS said the troops were moved on Russian navy ships from Oct. 8 to 13 and released satellite images of the transport.
""", split="fresh2")

copy_of("reuters-nk-troops-1018", "usnews-nk-troops-1018", "US News", "2024-10-18T07:10:00Z",
        "South Korea Says North Korea Sent Special Forces to Help Russia",
        edits=[("SEOUL, Oct 18 (Reuters) - ", "")],
        suffix="(Reporting by Ju-min Park; Editing by Ed Davies) Copyright 2024 Thomson Reuters.")

item("kyivind-nk-troops-1018", "Kyiv Independent", "2024-10-18T10:20:00Z", "north-korea-troops-russia",
     "South Korean intelligence: 1,500 North Korean soldiers already in Russia", """
South Korea's National Intelligence Service said on Oct. 18 that North Korea had begun sending special forces to Russia, with 1,500 soldiers transported by Russian navy vessels to Vladivostok.

President Volodymyr Zelensky said Ukraine had information that up to 10,000 North Korean troops were being prepared to join Russia's army.
""", split="fresh2")

item("tass-nk-denial-1018", "TASS", "2024-10-18T13:00:00Z", "north-korea-troops-russia",
     "Peskov calls reports of North Korean troops in Russia 'another fake'", """
MOSCOW, October 18. /TASS/. Kremlin spokesman Dmitry Peskov dismissed reports by South Korea's intelligence service about North Korean special forces being sent to Russia, calling them another piece of fake news.

"Yet another fake," Peskov told reporters when asked about the claims by Seoul.
""", split="fresh2")

item("up-victory-plan-1016", "Ukrainska Pravda", "2024-10-16T10:30:00Z", "zelensky-victory-plan",
     "Zelensky presents his Victory Plan to the Verkhovna Rada", """
President Volodymyr Zelensky presented his five-point Victory Plan to the Verkhovna Rada on 16 October, including an invitation to join NATO, lifting restrictions on long-range strikes and a non-nuclear deterrence package.

Zelensky said the plan could end the war no later than next year if partners support it.
""", split="fresh2")

item("mt-victory-plan-1016", "The Moscow Times", "2024-10-16T13:00:00Z", "zelensky-victory-plan",
     "Zelensky Unveils 'Victory Plan' Calling for Immediate NATO Invitation", """
Ukrainian President Volodymyr Zelensky unveiled his so-called Victory Plan in parliament on Wednesday, calling for an immediate invitation to join NATO and permission to strike deep inside Russia with Western weapons.

The Kremlin said the plan would only push Ukraine into a direct conflict with NATO.
""", split="fresh2")

item("tehrantimes-pollution-0205", "Tehran Times", "2023-02-05T07:00:00Z", "tehran-air-pollution",
     "Schools in Tehran closed as air pollution reaches unhealthy levels", """
Schools and universities in Tehran province were closed on Sunday as air pollution reached levels deemed unhealthy for sensitive groups, the provincial governor's office announced.
""", split="fresh2")

item("meduza-metro-1017", "Meduza", "2024-10-17T09:00:00Z", "moscow-metro",
     "Moscow opens three new stations on its Big Circle Line", """
Moscow Mayor Sergei Sobyanin opened three new metro stations in the city's south on Thursday, completing a further section of the Big Circle Line.
""", split="fresh2")


def main():
    keys = set()
    for it in ITEMS:
        if it["key"] in keys:
            raise SystemExit("duplicate key " + it["key"])
        keys.add(it["key"])
    ITEMS.sort(key=lambda i: (i["published"], i["key"]))
    for it in ITEMS:
        sys.stdout.write(json.dumps(it, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
