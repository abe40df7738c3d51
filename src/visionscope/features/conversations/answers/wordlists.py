"""Word lists the question reader uses: stop words, words that say how to look, foreign words."""

from __future__ import annotations

#: English function words: never what a question is about.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been before
    being below between both but by can could did didn do does doesn doing don down during each either
    else ever few for from further had hadn has hasn have haven having he her here hers herself him
    himself his how i if in into is isn it its itself just let me more most much must my myself no nor
    not now of off on once only or other ought our ours ourselves out over own same shall she should so
    some such than that the their theirs them themselves then there these they this those through to
    too under until up upon very was wasn we were weren what whatever when where whether which while
    who whom whose why will with won would wouldn yet you your yours yourself yourselves s t ll re ve d
    """.split()  # noqa: SIM905 - a word list reads best as words
)

#: Words that say how or where to look, not what to look for.
FILLER = frozenset(
    """
    mark list transcribe transcript everything step steps stage stages phase use uses used using many
    start starts started begin begins began title titles heading headings headline need needs needed
    require requires required necessary mandatory
    video videos clip clips film movie recording footage screen onscreen narrator speaker presenter
    host voice voiceover anyone someone somebody anybody everyone everybody mention mentions mentioned
    mentioning say says said saying talk talks talked talking speak speaks spoke spoken speaking
    discuss discusses discussed discussing tell tells told state states stated show shows shown showed
    showing display displays displayed appear appears appeared appearing visible see seen sees written
    write writes come comes came coming brought bring brings refer refers referred covered text texts
    word words line lines caption captions timestamp timestamps time times moment moments point part
    exactly please give find locate look looks happen happens happened happening occur occurs thing
    things something anything actually really approximately roughly around right immediately directly ok okay
    audio sound hear heard slide slides scene scenes shot shots image picture frame frames kind sort
    one ones talked mentioned describe described explain explained named called narrated narration
    speech go goes went gone get gets got getting people person persons viewers audience message
    messages announcement announcements statement remark remarks comment comments reminder information
    info details news topic subject story figures stats statistics data bit portion
    """.split()  # noqa: SIM905 - a word list reads best as words
)

#: Words of colour questions that are not the thing asked about.
COLOUR_FILLER = frozenset(
    """
    color colors colour colours dominant main background overall primary predominant mostly mainly
    mostly major largely shade shades tone tones hue
    """.split()  # noqa: SIM905 - a word list reads best as words
)

#: What people call the video itself: "the recap", "this lesson", "the induction".
VIDEO_NOUNS = frozenset(
    """
    recap summary overview briefing episode programme program presentation talk recording reading
    show broadcast bulletin tutorial lesson lecture update induction video clip film movie
    """.split()  # noqa: SIM905 - a word list reads best as words
)

#: Words of length questions that are not the thing asked about.
DURATION_FILLER = frozenset(
    """
    long length duration runtime run runs running last lasts lasting take takes minutes minute seconds
    second hours hour mins secs total whole entire
    """.split()  # noqa: SIM905 - a word list reads best as words
)

#: Common words of other languages: a question with them is likely not English.
FOREIGN = frozenset(
    """
    el la los las del que qué cuál cuándo dónde cómo por para une des est les quel quelle quand où
    pourquoi comment combien der die das und ist wann wo wie warum welche wird nicht ein eine il di che
    quando dove perché sono não em um uma qual onde como se y en dans avec sur im mit auf
    """.split()  # noqa: SIM905 - a word list reads best as words
)

#: Words of closed sets (months, days, colours, seasons, directions): each names one thing, so a
#: near one in meaning ("October" ~ "September") is a different thing, never the same.
CLOSED_SETS = frozenset(
    """
    january february march april may june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday today tomorrow yesterday tonight morning
    afternoon evening night spring summer autumn fall winter north south east west northern southern
    eastern western black white grey gray red orange brown yellow green cyan blue purple violet pink
    gold silver left right first second third last next previous
    """.split()  # noqa: SIM905 - a word list reads best as words
)

#: Words that mean the same in questions about videos; a question's word is held by a passage that
#: has any word of its group (irregular forms included: "grew" for "grow").
SYNONYMS = (
    "grow grew grown growth increase rise rose risen climb jump gain up",
    "fall fell fallen drop decrease decline shrink shrank sink sank down",
    "open opened opening launch start begin began begun",
    "close closed end ended finish stop",
    "buy bought purchase",
    "sell sold sale sales",
    "cost price costs priced",
    "say said tell told state",
    "speak spoke spoken talk",
    "make made build built create",
    "go went gone",
    "come came",
    "take took taken",
    "give gave given",
    "see saw seen",
    "show shown showed display",
    "bike bicycle cycle",
    "car vehicle automobile",
    "lab laboratory",
    "phone telephone",
    "tv television",
    "pc computer",
    "employee staff worker",
    "meeting briefing",
    "send sent",
    "spend spent",
    "pay paid",
    "win won",
    "lose lost",
    "meet met",
    "leave left",
    "keep kept",
    "bring brought",
    "think thought",
    "find found",
    "hold held",
    "write wrote written",
    "choose chose chosen",
    "run ran",
    "eat ate eaten",
    "drive drove driven",
    "fly flew flown",
    "teach taught",
    "catch caught",
    "buy bought",
    "read",
    "hear heard",
    "know knew known",
    "get got gotten",
    "feel felt",
    "do did done",
    # the same thing in British and American English, and everyday words for it
    "lift elevator",
    "fire blaze flames",
    "lorry truck",
    "film movie",
    "holiday vacation",
    "petrol gasoline gas",
    "motorway highway freeway",
    "pavement sidewalk",
    "mobile cellphone",
    "rubbish trash garbage",
    "timetable schedule",
    "underground subway metro",
    "flat apartment",
    "children kids",
)
