"""Every word list qabot uses, each with where it came from.

All of these are closed classes of general English (function words, month names, question
words, pronouns, negators, connectives, currency names, units). None was collected from the
gold questions. What each list that fed the answer model was worth was measured out of
fold on the SQuAD training articles (docs/benchmarks.md, by the training script's former
``--ablate``); a list whose features did not help there was removed.
"""

from __future__ import annotations

# -- analysis ------------------------------------------------------------------------------

# NLTK's English stop list (itself the Snowball project's English list, 179 words) without
# "only" (a content word: "Was Lin the only person to leave?"; Lucene's English stop set
# keeps it too), plus "also just will much many", which carry no topic in news questions.
# Question words are stopwords for retrieval; the answerer reads them from the raw question.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll
    i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor
    not of off on once or other ought our ours ourselves out over own same shan't she she'd
    she'll she's should shouldn't so some such than that that's the their theirs them themselves
    then there there's these they they'd they'll they're they've this those through to too under
    until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where
    where's which while who who's whom why why's with won't would wouldn't you you'd you'll
    you're you've your yours yourself yourselves s t also just will much many""".split()
)

# -- sentence splitting --------------------------------------------------------------------

# Abbreviations that end in a full stop without ending the sentence: English titles, month
# abbreviations, company suffixes and citation terms (the usual list of rule-based
# splitters such as Punkt's hand-seeded abbreviations).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr vs etc inc ltd co corp no nos fig figs approx dept est gen gov
    lt col sgt capt rep sen rev mt ft jan feb mar apr jun jul aug sep sept oct nov dec al ed eds
    vol pp cf""".split()
)

# -- time ----------------------------------------------------------------------------------

MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
# The Gregorian month names and their usual English abbreviations, as one regex group.
MONTHS = (r"(?:january|february|march|april|may|june|july|august|september|october"
          r"|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Deictic time words of English ("yesterday", "this morning" are built from these).
TIME_DEICTICS = frozenset(
    "today yesterday tomorrow tonight morning afternoon evening night week month year"
    " decade century ago earlier later recently".split()
)
# Words that ask what happened without naming a topic ("what happened in April?", "which
# article is the most recent?"): English's general verbs of occurring and the nouns for
# news and its items, as a thesaurus groups them.
EVENT_WORDS = frozenset(
    "happen happens happened happening occur occurs occurred take took place go went on"
    " news article articles report reports story stories event events latest newest recent"
    " earliest oldest first last new".split()
)
# Superlatives of time that ask for the newest or the oldest report ("which is the latest
# article?", "the earliest report"): English's own, as a dictionary lists them.
LATEST_WORDS = frozenset("latest newest".split()) | {"most recent"}
EARLIEST_WORDS = frozenset("earliest oldest".split()) | {"least recent"}

# -- questions -----------------------------------------------------------------------------

# English interrogatives and the auxiliaries that open a yes/no question.
WH_WORDS = frozenset("what when why who whom whose which where how".split())
AUXILIARIES = frozenset(
    "is are was were am be been do does did has have had will would can could should shall"
    " may might must".split()
)

# Head nouns of "what/which N" questions, by the coarse answer classes of Li and Roth's
# question taxonomy (COLING 2002: HUM, LOC, NUM, with time and quantity under NUM). Only
# the commonest heads of each class; anything else is a "what" question.
PERSON_HEADS = frozenset(
    "person people man men woman women name player players king queen emperor president"
    " leader leaders author writer scientist scientists ruler general minister pope".split()
)
PLACE_HEADS = frozenset(
    "place city country state region area location town continent river island nation"
    " county province district street building".split()
)
TIME_HEADS = frozenset(
    "year years date day days month months century decade time era period age season".split()
)
QUANTITY_HEADS = frozenset(
    "number amount percentage percent proportion share size population total rate".split()
)
# "What caused ...", "what led to ...": a reason question without "why".
CAUSE_VERBS = frozenset("caused cause causes led prompted motivated made drove".split())

# Verbs of saying (the reporting verbs of English grammar): a "what did X say" question
# asks for a quotation.
SAYING_VERBS = frozenset(
    "say said says tell told write wrote written state stated announce announced reply"
    " replied respond responded claim claimed tweet tweeted post posted call called".split()
)

# -- answer types found in text ------------------------------------------------------------

# Causal and purposive connectives of English grammar (because, since, so that, ...).
REASON_CONNECTIVES = (
    "because", "since", "due to", "owing to", "because of", "as a result", "result of",
    "therefore", "thus", "hence", "consequently", "so that", "in order to", "so as to",
    "reason", "reasons", "led to", "caused", "cause", "thanks to", "aimed", "purpose",
)
# Negators of English (Quirk et al.'s closed class of negative words).
NEGATIONS = frozenset(
    "not no never nothing none nobody nowhere neither nor without cannot n't".split()
)
# The unit a "how old" / "how long" / "how far" question expects after its number:
# age, the English units of duration, and of distance.
AGE_UNITS = ("year", "years", "age", "aged", "old")
DURATION_UNITS = ("second", "seconds", "minute", "minutes", "hour", "hours", "day", "days",
                  "week", "weeks", "month", "months", "year", "years", "decade", "decades",
                  "century", "centuries")
DISTANCE_UNITS = ("metre", "metres", "meter", "meters", "kilometre", "kilometres",
                  "kilometer", "kilometers", "km", "mile", "miles", "foot", "feet", "m", "ft")
# Cardinal number words.
NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy"
    " eighty ninety hundred hundreds thousand thousands million millions billion billions"
    " trillion dozen dozens half twice double triple".split()
)
# Currency names and ISO codes of the major currencies.
CURRENCIES = frozenset(
    "dollar dollars euro euros pound pounds yen yuan renminbi rmb rupee rupees franc francs"
    " usd eur gbp jpy cny hkd".split()
)
# Spatial prepositions that introduce a place ("in Paris", "near the Rhine").
PLACE_PREPOSITIONS = frozenset("in at near from to into across along throughout".split())

# -- follow-ups ----------------------------------------------------------------------------

# Third-person personal pronouns (subject, object, possessive) and what they become when
# a name takes their place: "his" -> "X's".
PERSONAL_PRONOUNS = {"he": "", "him": "", "she": "", "her": "", "his": "'s", "hers": "'s",
                     "they": "", "them": "", "their": "'s"}
# Openers of an elliptical follow-up ("and Jiang Fang?", "what about the CTO?").
ELLIPSIS_OPENERS = ("and what about", "what about", "how about", "and", "what of", "same for")

# -- the article itself --------------------------------------------------------------------

# Nouns for a piece of writing and verbs of publishing: "When was the article ... published?"
# asks for the article's own date, which the articles give as metadata, not in their text.
DOCUMENT_NOUNS = ("article", "piece", "story", "report", "post", "column", "essay", "op-ed",
                  "write-up", "blog")
PUBLISH_VERBS = ("published", "come out", "came out", "written", "released", "appeared",
                 "dated", "posted", "publish")

# -- chat manners --------------------------------------------------------------------------
# Whole messages that are conversation, not questions about the articles: answered by the
# chat without a search. Common English forms (and the REPL conventions of psql, vim and
# pgcli for help and quit), written for qabot.
GREETINGS = frozenset("hi hello hey hiya howdy yo greetings".split()) | {
    "good morning", "good afternoon", "good evening"}
THANKS = frozenset({"thanks", "thank you", "thank you very much", "thanks a lot", "thx", "ty",
                    "cheers", "many thanks", "great thanks", "ok thanks", "ok thank you"})
FAREWELLS = frozenset({"bye", "goodbye", "good bye", "see you", "bye bye", ":q", ":q!",
                       ":wq", "\\q", "exit", "quit", "q"})
HELP_WORDS = frozenset({"help", "?", "\\?", "\\h", ":help", ":h", "h"})
