package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// language is the text material of one language: headline and lead
// templates for on-topic and off-topic items and a neutral vocabulary for
// body paragraphs. Templates take their slots from slotWords; nothing in
// the off-topic material or the vocabulary names Iran, Russia, Ukraine or
// drones, so that only the on-topic title and lead make an item on topic.
type language struct {
	code     string
	onTitle  []string
	onLead   []string
	offTitle []string
	offLead  []string
	words    []string
	// slots fill the %s of the off-topic templates (teams, places, sectors).
	slots []string
	// tails end on-topic headlines (the %s of onTitle), so that outlets
	// carrying one wire story differ in their headlines.
	tails []string
}

var languages = []language{
	{
		code: "en",
		onTitle: []string{
			"Russia launches Iranian-made Shahed drones at Ukrainian cities %s",
			"Iran delivers new batch of drones to Russia, Kyiv says %s",
			"Ukraine shoots down dozens of Shahed drones over Kyiv %s",
			"Tehran and Moscow deepen defence ties as war in Ukraine drags on %s",
			"Zelensky urges sanctions on Iran over drone supplies to Russia %s",
			"Kremlin hosts Iranian delegation for talks on drones and Ukraine %s",
		},
		onLead: []string{
			"Russia fired %s Iranian-designed Shahed drones at Ukraine overnight, officials in Kyiv said, as Moscow and Tehran expand their military partnership.",
			"Iran has shipped another consignment of drones to Russia, Ukrainian intelligence said on %s, adding that the Shahed units were assembled near Moscow.",
			"Ukraine's air force said it destroyed %s of the Iranian-made drones launched by Russia, while the Kremlin praised its cooperation with Tehran.",
			"Iranian and Russian officials met in Moscow on %s to discuss drone production, sanctions and the war in Ukraine, state media reported.",
		},
		offTitle: []string{
			"%s win late thriller to stay top of the league",
			"Central bank holds interest rates as inflation eases in %s",
			"Heavy rain and strong winds expected across %s this weekend",
			"Retail sales rise for third month running in %s",
			"%s coach praises young squad after cup victory",
			"Heatwave warning issued for %s as temperatures climb",
		},
		offLead: []string{
			"Supporters in %s celebrated late into the night after a stoppage-time goal settled a tense match.",
			"Policymakers left the benchmark rate unchanged on Thursday, citing slower price growth and steady hiring in %s.",
			"Forecasters said the unsettled weather over %s would last until Monday, with flooding possible in low-lying areas.",
			"Analysts said household spending in %s had proved more resilient than expected despite higher borrowing costs.",
		},
		words: strings.Fields(`the a council said on Tuesday would its new plan for local residents and business
			leaders after weeks of debate over budget housing transport schools hospitals roads water power
			prices market shares investors quarter growth figures data survey report committee chairman
			season players match goal coach fans stadium final league cup title points week weekend morning
			evening forecast rain snow wind temperatures sunny cloudy storm coast valley river city town region
			province district officials spokesperson statement agreement project company workers union strike
			wages jobs unemployment exports imports trade tariffs bank loans credit rates inflation costs energy
			bills families children students teachers doctors nurses patients services funding tax reform vote
			parliament election campaign candidate poll results turnout museum festival concert film music art
			book library park garden bridge airport railway station bus traffic accident police court judge
			trial lawyer verdict appeal decision review inquiry evidence witness hearing scheduled expected
			announced confirmed denied reported estimated increased decreased remained rose fell climbed dropped`),
		tails: []string{"", "", " – live updates", " overnight", ", officials say", " as talks stall", " amid new strikes"},
		slots: []string{"Northbridge", "the capital", "the east", "Riverside", "Westfield", "the coastal provinces", "Lakeside United", "Harbour City"},
	},
	{
		code: "ru",
		onTitle: []string{
			"Россия применила иранские беспилотники «Шахед» против Украины %s",
			"Иран передал России новую партию беспилотников, заявили в Киеве %s",
			"Украина сбила десятки иранских дронов над Киевом %s",
			"Тегеран и Россия расширяют военное сотрудничество на фоне войны в Украине %s",
		},
		onLead: []string{
			"Россия ночью атаковала Украину %s иранскими беспилотниками «Шахед», сообщили в Киеве, пока Тегеран и Кремль расширяют партнёрство.",
			"Иран поставил России очередную партию беспилотников, заявила украинская разведка %s, добавив, что дроны собирают в России.",
			"Воздушные силы Украины уничтожили %s иранских дронов, запущенных Россией, сообщили в Киеве.",
		},
		offTitle: []string{
			"%s одержал волевую победу в чемпионате",
			"Центральный банк сохранил ключевую ставку: %s",
			"Синоптики обещают сильные дожди в регионе %s",
			"Розничные продажи выросли третий месяц подряд: %s",
		},
		offLead: []string{
			"Болельщики команды %s праздновали победу до поздней ночи после гола на последних минутах.",
			"Регулятор оставил ставку без изменений, сославшись на замедление роста цен, сообщает %s.",
			"По прогнозу синоптиков, непогода в районе %s продлится до понедельника.",
		},
		words: strings.Fields(`городской совет заявил во вторник что новый план для жителей и предпринимателей
			после недель обсуждения бюджета жилья транспорта школ больниц дорог воды цены рынок акции
			инвесторы квартал рост данные опрос доклад комитет председатель сезон игроки матч гол тренер
			болельщики стадион финал лига кубок очки неделя выходные утро вечер прогноз дождь снег ветер
			температура солнечно облачно шторм побережье долина река город район область чиновники
			заявление соглашение проект компания рабочие зарплаты рабочие места экспорт импорт торговля
			банк кредиты ставки инфляция расходы семьи дети студенты учителя врачи пациенты услуги
			финансирование налог реформа голосование выборы кандидат результаты музей фестиваль концерт
			фильм музыка книга библиотека парк сад мост аэропорт вокзал автобус движение суд судья решение`),
		tails: []string{"", "", " — источники", " ночью", " на фоне новых ударов"},
		slots: []string{"Зенит", "Северный", "Приморье", "Заречье", "Спартак", "Озёрный"},
	},
	{
		code: "fa",
		onTitle: []string{
			"روسیه پهپادهای شاهد ایرانی را علیه اوکراین به کار برد %s",
			"ایران محموله جدیدی از پهپاد به روسیه فرستاد %s",
			"اوکراین ده\u200cها پهپاد ایرانی را بر فراز کی یف سرنگون کرد %s",
		},
		onLead: []string{
			"روسیه شب گذشته با %s پهپاد شاهد ایرانی به اوکراین حمله کرد و مقام\u200cهای کی یف از همکاری نظامی تهران و مسکو خبر دادند.",
			"ایران محموله دیگری از پهپادها را به روسیه تحویل داد؛ اطلاعات اوکراین روز %s این خبر را اعلام کرد.",
		},
		offTitle: []string{
			"پیروزی دیرهنگام %s در لیگ برتر",
			"بانک مرکزی نرخ بهره را ثابت نگه داشت: %s",
			"پیش\u200cبینی باران شدید در %s برای آخر هفته",
		},
		offLead: []string{
			"هواداران %s تا پاسی از شب پیروزی تیم خود را جشن گرفتند.",
			"سیاست\u200cگذاران نرخ بهره را بدون تغییر گذاشتند و به کاهش تورم در %s اشاره کردند.",
			"هواشناسی اعلام کرد ناپایداری جوی در %s تا دوشنبه ادامه دارد.",
		},
		//lint:ignore ST1018 Persian words join their parts with ZWNJ; a raw string keeps the word list readable
		words: strings.Fields(`شورای شهر روز سه‌شنبه اعلام کرد برنامه جدید برای ساکنان و کسب‌وکارها پس از هفته‌ها
			بحث درباره بودجه مسکن حمل‌ونقل مدارس بیمارستان‌ها جاده‌ها آب قیمت‌ها بازار سهام سرمایه‌گذاران
			فصل رشد داده‌ها گزارش کمیته رئیس بازیکنان مسابقه گل مربی هواداران ورزشگاه فینال لیگ جام امتیاز
			هفته صبح عصر پیش‌بینی باران برف باد دما آفتابی ابری طوفان ساحل دره رودخانه شهر منطقه استان
			مقامات بیانیه توافق پروژه شرکت کارگران دستمزد صادرات واردات تجارت بانک وام نرخ تورم هزینه‌ها
			خانواده‌ها کودکان دانشجویان معلمان پزشکان بیماران خدمات مالیات اصلاحات رأی انتخابات نامزد
			نتایج موزه جشنواره کنسرت فیلم موسیقی کتاب کتابخانه پارک باغ پل فرودگاه ایستگاه اتوبوس دادگاه`),
		tails: []string{"", "", " در پی حملات تازه", " بامداد امروز"},
		slots: []string{"استقلال", "شیراز", "اصفهان", "تبریز", "سپاهان", "گیلان"},
	},
}

// sentence writes a sentence of 8–20 words drawn from the vocabulary, with
// a number now and then so that no two items share their text by chance.
func sentence(b *strings.Builder, r *rand.Rand, l *language) {
	n := 8 + r.IntN(13)
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(12) == 0 {
			fmt.Fprintf(b, "%d", r.IntN(10000))
			continue
		}
		w := l.words[r.IntN(len(l.words))]
		if i == 0 && l.code == "en" {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }
