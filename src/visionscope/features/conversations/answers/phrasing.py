"""The patterns questions are read with: how each form of question is phrased, what names a scene,
a channel (said or shown), a back-reference, the words around a topic. Used by `questions`."""

from __future__ import annotations

import re

from visionscope.analysis.visual import COLOR_NAMES

from .numbers import ORDINALS, replace_number_words
from .terms import stem
from .wordlists import VIDEO_NOUNS

COLOURS = frozenset(COLOR_NAMES)
COLOUR_ALIASES = {"gray": "grey", "violet": "purple", "magenta": "pink", "turquoise": "cyan", "navy": "blue"}
CONTRACTIONS = (
    (r"\b(what|where|when|who|how|that|it|there|here|which|why)'s\b", r"\1 is"),
    (r"\b(what|where|when|who|how|which|why|they|we|you)'re\b", r"\1 are"),
    (r"\b(is|are|was|were|does|do|did|has|have|had|should|would|could)n't\b", r"\1 not"),
    (r"\bcan't\b", "can not"),
    (r"\bwon't\b", "will not"),
    (r"\b(i|you|we|they)'(ve|ll|d)\b", r"\1"),
)
SAID_WORDS = re.compile(
    r"\b(say|says|said|saying|talk|talks|talked|talking|speak|speaks|spoke|spoken|speaking|narrator|"
    r"speaker|presenter|voice|voiceover|hear|heard|audio|discuss|discussed|discusses|tell|tells|told|"
    r"explain|explains|explained|announce|announced|announces|transcript|narration|pronounce[sd]?)\b"
)
SHOWN_WORDS = re.compile(
    r"\b(show|shows|shown|showed|showing|display|displays|displayed|screen|on-screen|onscreen|appear|"
    r"appears|appeared|visible|see|seen|written|text|caption|captions|title|titles|slide|picture|image|"
    r"frame|look|looks|read|sign|banner|headline|heading)\b"
)
SCENE_NOUN = r"(?:scenes?|shots?|slides?)"
ORDINAL_WORD = (
    r"second\s+to\s+last|next\s+to\s+last|last\s+but\s+one|penultimate|"
    + "|".join(sorted(ORDINALS, key=len, reverse=True))
    + r"|last|final|opening|closing|\d+(?:st|nd|rd|th)"
)
SCENE_BY_ORDINAL = re.compile(rf"\b(?:the\s+)?(?:very\s+)?({ORDINAL_WORD})\s+{SCENE_NOUN}\b")
SCENE_BY_NUMBER = re.compile(rf"\b{SCENE_NOUN}\s+(?:number\s+|no\.?\s*|#\s*)?(\d+)\b")
SMALL_TALK = re.compile(
    r"(hi|hello|hey|hiya|yo|good (morning|afternoon|evening)|thanks?( you)?( very much| a lot| so much)?|"
    r"ok(ay)?|cool|great|nice|bye|goodbye|who are you|what can you do|help|test(ing)?)( there)?[.!? ]*"
)
SUMMARY = re.compile(
    r"\b(main|central|key|overall) (topics?|subjects?|themes?|ideas?|messages?)\b|"
    r"\bsummar(y|ies|ise|ize|ised|ized|ising|izing)\b|\bsum (it |this |that )?up\b|\brecap\b|\bgist\b|"
    r"\btl ?;? ?dr\b|\b(main|key) (points?|ideas?|takeaways?|messages?|facts?)\b|\btakeaways\b|"
    r"\bwhat (is|was) (this|the|that) (video|clip|recording|film|movie|briefing|presentation|talk) about\b|"
    r"\bwhat (is|was) (it|this) (all )?about\b|\boverview\b|\bin (a )?(nutshell|few words|brief)\b|"
    r"\bwhat happens in (the|this) (video|clip)\b|\bbriefly\b"
)
_VIDEO_NOUN = "(?:" + "|".join(sorted(VIDEO_NOUNS)) + ")"
#: "How long is the recap?": the length of the video itself, named by what it is.
LENGTH_OF_THE_VIDEO = re.compile(
    rf"^(and |so )?how long (is|was) (the|this|that) (whole )?{_VIDEO_NOUN}\b[?.! ]*$"
)
#: "How many parts is the video cut into?": its scenes, not its chapters.
CUT_INTO = re.compile(r"\b(cut|split|divided|broken|chopped)( up)? into\b")
PIECE_STEMS = frozenset(stem(w) for w in ("part", "piece", "section", "segment", "bit"))
CHAPTERS = re.compile(
    r"\b(chapters?|table of contents|outline|agenda)\b|\b(what|which|list( the)?) (main )?(topics|subjects|"
    r"sections|parts)\b|\btopics (are )?(covered|discussed)\b"
)
HOW_MANY = re.compile(
    r"\b(?:how many|number of|count(?: the)?)\s+"
    r"(?:(?:different|separate|distinct|total|individual|unique)\s+)?([a-z]+)"
)
HOW_MUCH = re.compile(
    r"\bhow much\b|\bwhat (percentage|percent|number|amount|share|proportion|figure|rate)\b|\bby how much\b|"
    r"\bwhat (is|was) the (percentage|number|amount|figure|share|total|count|rate)\b"
)
HOW_LONG = re.compile(
    r"\bhow long\b|\b(length|duration|runtime|run time|running time)\b|\bhow many (seconds|minutes)\b"
)
SPAN_VERBS = re.compile(
    r"\b(shown|show|on screen|visible|displayed|said|mentioned|discussed|talked|stay|stays|appear|appears|"
    r"remain|remains|for how long|how long for)\b"
)
FRAME_NOUNS = re.compile(r"\b(background|screen|scenes?|shots?|frames?|picture|image|video|clip|slides?)\b")
_ASKING_VERB = (
    r"(is|are|was|were|does|do|did|has|have|had|can|could|will|would|should|may|might|must|shall|isn)\b"
)
YES_NO = re.compile(rf"^(and |so |but )?{_ASKING_VERB}")
#: "If there's a blaze, can I take the elevator?": yes or no after a clause of condition or time
#: (read on the question with its commas).
YES_NO_AFTER_CLAUSE = re.compile(
    r"^(and |so |but )?(if|when|once|after|before|while|during|in case of|in an?) [^,?]{1,60}, "
    + _ASKING_VERB
)
#: "It only comes in black, doesn't it?", "So it's red wine, right?", "Saturday at 15:00, yes?":
#: a statement to confirm (read on the question with its commas).
YES_NO_TAG = re.compile(
    r",\s*(?:(?:is|are|was|were|does|do|did|has|have|had|can|could|will|wo|would|should)n[o']?t "
    r"(?:it|he|she|they|there|we|you|i|that)|right|correct|yes|yeah|true|am i right|"
    r"is that (?:right|correct|true|so))\s*[?!.]*\s*$"
)
WHEN = re.compile(
    r"^(and |so |but |then )?(when|at what (time|point|moment|minute|second)|what time|at which (time|point|"
    r"moment|minute)|how (soon|early|late|far in(to)?)|where in (the|this) (video|clip|recording|film)|which "
    r"(part|moment|point|section|scene|shot|slide|minute|second)|in which (part|scene|shot|slide|section|"
    r"minute)|in what (part|scene|shot|slide|section)|what (part|moment|point|scene|shot|slide|section) "
    r"(of|in|is|does|did|has|was)|find (the )?(moment|part|place|spot|time|point|scene)|show me (when|where|"
    r"the (moment|part|spot|scene))|timestamps? (of|for|when|where)|give me (the )?(time|timestamps?)|"
    r"at what)\b"
)
SAID_ABOUT = re.compile(
    r"\b(say|says|said|saying|tell|tells|told|mention|mentions|mentioned|talk|talks|talked|speak|speaks|"
    r"spoke|discuss|discusses|discussed|explain|explains|explained|state|states|stated|report|reports|"
    r"reported|announce|announced|note|noted|learn)\b.*\babout\b|^(and )?what about\b|^tell me about\b|"
    r"^what (does|did|do) (the )?(narrator|speaker|presenter|voice|video|host|anyone|someone|he|she|they)"
    r" (say|mention|tell|report|announce|state|explain)\b"
)
NEXT_NOUN = r"(?:scenes?|shots?|slides?|parts?|sentences?|lines?|moments?|segments?|bits?|things?|one)"
RELATIVE = (
    re.compile(
        r"^(?:and |so )?(?:(right|just|immediately|directly|straight) )?(before|after) "
        r"(?:that|this|it|then|those)\b"
    ),
    re.compile(r"^(?:and |so )?(then|afterwards?|next|later|earlier|previously)\b"),
    re.compile(
        r"\bwhat(?: is| was)? (?:comes?|came|happens?|happened|follows?|followed|precedes|preceded|is|was|"
        r"shown|said|seen|displayed|heard|appears?|appeared|on screen)?\s*"
        r"(?:(right|just|immediately|directly|"
        r"straight) )?(before|after|next|afterwards?|then|later|earlier|previously|prior to)\b"
    ),
    re.compile(
        rf"\b(?:the )?(?:(very|immediately) )?(next|previous|following|preceding|prior) {NEXT_NOUN}\b"
    ),
    re.compile(r"\bwhat (?:(right|just|immediately|directly) )?(precedes|follows|preceded|followed)\b"),
    re.compile(r"\b(?:(right|just|immediately|directly) )?(before|after) (?:that|this|it)\b"),
)
AFTER_WORDS = frozenset(
    ["after", "next", "afterwards", "afterward", "then", "later", "following", "follows", "followed"]
)
BACK_REFERENCE = re.compile(r"\b(it|that|this|then|those|these|there)\b")
SCENE_STEMS = frozenset(stem(w) for w in ("scene", "shot", "cut", "slide", "transition", "change"))
CHAPTER_STEMS = frozenset(stem(w) for w in ("chapter", "section", "part", "topic"))
NOT_BACK = re.compile(
    rf"\b(is|are|was|were) there\b|\bthere (is|are|was|were)\b|\bthis {_VIDEO_NOUN}\b|"
    r"\bthat (is|was) (said|shown|mentioned)\b"
)
DURATION = "duration"  # "how long should the soup simmer?": a length of time said or shown
ANSWER_KIND = re.compile(r"\b(?:what|which) (month|year|day|date|weekday|city|town|country|place|state)\b")
#: Words naming the kind of answer wanted ("the launch date"), and the kind a passage must hold.
KIND_WORDS = {"date": "date", "dates": "date", "number": "number", "numbers": "number"}
QUOTED = re.compile(r'"([^"]{2,})"|(?:^|\s)\'([^\']{2,})\'(?=\s|$|[?.!,])')
TOKEN = re.compile(r"[\w'.:-]+", re.UNICODE)
DETERMINERS = frozenset(
    ["a", "an", "the", "any", "some", "his", "her", "their", "its", "our", "this", "that", "these", "those"]
)


AUX = r"is|are|was|were|does|do|did|will|would|can|could|has|have|had|should"
LEAD_AUX = re.compile(rf"^(and |so |but )?((what|where|who|whom|whose|why|how|which)( ({AUX}))?|{AUX})\b\s*")
LEAD_VERB = re.compile(r"^(mentions?|shows?|talks? about|discuss(es)?|says?|covers?|features?)\b\s*")
LEAD_SPEAKER = re.compile(
    r"^(the |a )?(narrator|speaker|presenter|video|clip|host|voice|someone|anyone|somebody|anybody|they|he|"
    r"she|we|you|people|it) (first |ever |again |ever )?(talk|talks|talked|speak|speaks|spoke|say|says|said|"
    r"mention|mentions|mentioned|discuss|discusses|discussed|show|shows|showed|display|displays|refer|"
    r"refers|bring|brings|get|gets|start|starts|begin|begins)( up)?( about| to| on| of)?\b\s*"
)
TRAIL_VERB = re.compile(
    r"\s*\b(is |are |was |were |being |been |get |gets |got |first |again |ever )?(mentioned|said|shown|"
    r"discussed|talked about|spoken about|displayed|seen|visible|heard|brought up|come up|comes up|came up|"
    r"appear|appears|appeared|on screen|in the video|in this video|in the clip|first|again|covered|"
    r"referred to|show up|shows up|start|starts|begin|begins|after|before|at|in|on|from|between|until|since)$"
)


#: A question with the asker's guess after it: "How many cloves of garlic, two?", "When did
#: Perseverance land, 2021?", "In which minute did Silva score, the 12th?".
_GUESSED = re.compile(
    r"^(?P<asked>\s*(?:and\s+|so\s+)?(?:how|what|which|when|where|who|whose|in which|at what|on which|"
    r"on what)\b[^,?]*?),\s*(?P<guess>[^,?]{1,30}?)\s*\?\s*$",
    re.IGNORECASE,
)


def without_guess(question: str) -> str:
    """The question without a number the asker guesses after it ("How many cloves of garlic, two?"
    is asked "How many cloves of garlic?"): given the guess too, a small model answers "not in the
    video" more often; the answer then states the number the video gives, right or not."""
    m = _GUESSED.match(question)
    if m is None or not re.search(r"\d", replace_number_words(m["guess"].lower())):
        return question
    return f"{m['asked'].rstrip()}?"
