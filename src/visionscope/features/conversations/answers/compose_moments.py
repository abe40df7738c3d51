"""Answers about moments: what is on screen or said at a time, how long something lasts, and
what comes before or after a moment. Pure: facts and the moment in, draft out."""

from __future__ import annotations

from .compose_topics import Evidence, supported
from .compose_video import describe_scene, videos_for
from .knowledge import TEXT, TRANSCRIPT, Passage, SceneFacts, VideoFacts
from .memory import Focus, Plan
from .questions import Channel, Form
from .timecodes import clock, spoken_length
from .writing import Draft, Writer, capital, colours_in_words, join, not_found, refusal, span_words

#: Speech this close (seconds) to a moment asked about still counts as said "at" it.
NEAR = 1.5
RANGE_LIMIT = 10


def _at_point(video: VideoFacts, t: float) -> tuple[list[Passage], list[Passage]]:
    shown = [p for p in video.text if p.overlaps(t, t)]
    said = [p for p in video.transcript if p.overlaps(t, t)]
    if not said:
        near = [p for p in video.transcript if p.start - NEAR <= t <= p.end + NEAR]
        said = sorted(near, key=lambda p: min(abs(p.start - t), abs(p.end - t)))[:1]
    scene = video.scene_at(t)
    if not said and scene is not None:  # "at the one minute mark": what is said in that scene
        overlap = [(min(p.end, scene.end) - max(p.start, scene.start), p) for p in video.transcript]
        said = [p for share, p in sorted(overlap, key=lambda sp: -sp[0]) if share > 0][:1]
    return shown, said


def at_time(plan: Plan, evidence: Evidence) -> Draft:
    question = plan.question
    assert question.time is not None
    writer = Writer(evidence.videos)
    sentences = []
    for video in videos_for(plan, evidence):
        lo, hi = question.time.resolve(video.duration)
        if lo >= video.duration + 0.5:
            continue
        if question.time.is_point:
            shown, said = _at_point(video, lo)
            when = f"at {clock(lo)}"
        else:
            shown = [p for p in video.text if p.overlaps(lo, hi)][:RANGE_LIMIT]
            said = [p for p in video.transcript if p.overlaps(lo, hi)][:RANGE_LIMIT]
            when = span_words(lo, hi)
        parts = []
        if shown and question.channel is not Channel.SAID:
            parts.append(f"the screen shows {writer.quote(shown)}")
        if said and question.channel is not Channel.SHOWN:
            parts.append(f"the video says {writer.quote(said)}")
        scene = video.scene_at(lo)
        if not parts and question.channel is Channel.ANY and scene is not None:
            parts.append(f"the picture is {colours_in_words(scene)} {writer.cite(video.note_of(scene))}")
        if parts:
            sentences.append(capital(f"{writer.where(video.video_id)}{when} " + join(parts) + "."))
    if not sentences:
        return _nothing_at(plan, evidence)
    return writer.done(" ".join(sentences))


def _nothing_at(plan: Plan, evidence: Evidence) -> Draft:
    question = plan.question
    assert question.time is not None
    videos = videos_for(plan, evidence)
    longest = max((v.duration for v in videos), default=0.0)
    lo, hi = question.time.resolve(longest)
    when = f"at {clock(lo)}" if question.time.is_point else span_words(lo, hi)
    if lo >= longest + 0.5:
        return refusal(f"The video is only {clock(longest)} long, so there is nothing {when}.", question)
    what = {Channel.SAID: "anything", Channel.SHOWN: "any text on screen"}.get(question.channel, "anything")
    return not_found(question, f"{what} {when}")


def _focus_passages(plan: Plan, video: VideoFacts, referent: Focus) -> list[Passage]:
    """The earlier answer's cited passages of the referent's moment (or what the video has there)."""
    earlier = plan.previous.focus if plan.previous else ()
    near = [
        f
        for f in earlier
        if f.video_id == referent.video_id and f.start < referent.end + NEAR and f.end > referent.start - NEAR
    ]
    found: list[Passage] = []
    for f in near or [referent]:
        pool = video.text if f.source == TEXT else video.transcript if f.source == TRANSCRIPT else ()
        found.extend(p for p in pool if abs(p.start - f.start) < 0.01 and abs(p.end - f.end) < 0.01)
    return found


def span(plan: Plan, evidence: Evidence) -> Draft:
    question = plan.question
    writer = Writer(evidence.videos)
    if question.scene is not None:
        sentences = []
        for video in videos_for(plan, evidence):
            index = question.scene.index(len(video.scenes))
            if index is not None:
                s = video.scenes[index]
                mark = writer.cite(video.note_of(s))
                length = spoken_length(s.end - s.start)
                where = writer.where(video.video_id)
                sentences.append(
                    capital(
                        f"{where}scene {s.index + 1} lasts {length}, {span_words(s.start, s.end)} {mark}."
                    )
                )
        return writer.done(" ".join(sentences)) if sentences else refusal("There is no such scene.", question)
    passages: list[Passage] = []
    if evidence.referent is not None:
        owner = next((v for v in evidence.videos if v.video_id == evidence.referent.video_id), None)
        passages = _focus_passages(plan, owner, evidence.referent) if owner else []
    elif plan.words:
        found = supported(evidence)
        if not found:
            return not_found(question)
        passages = [p for p in found[0].passages if p.source in (TEXT, TRANSCRIPT)]
    else:
        from .compose_video import duration

        return duration(plan, evidence)
    if not passages:
        return refusal("I cannot tell which moment you mean; ask about a moment first.", question)
    parts = []
    for source, verb in ((TEXT, "on screen"), (TRANSCRIPT, "said")):
        mine = [p for p in passages if p.source == source]
        if mine:
            lo, hi = min(p.start for p in mine), max(p.end for p in mine)
            parts.append(f"{verb} {span_words(lo, hi)}, {spoken_length(hi - lo)} {writer.cite(mine[0])}")
    subject = capital(question.phrase) if question.phrase else "It"
    return writer.done(f"{subject} is " + join(parts) + ".", referent=evidence.referent)


def _scene_after(video: VideoFacts, referent: Focus) -> SceneFacts | None:
    return next((s for s in video.scenes if s.start >= referent.end - 0.25 and s.end > referent.end), None)


def _scene_before(video: VideoFacts, referent: Focus) -> SceneFacts | None:
    before = [s for s in video.scenes if s.end <= referent.start + 0.25 and s.start < referent.start]
    return before[-1] if before else None


def _said_after(video: VideoFacts, referent: Focus) -> Passage | None:
    return next(
        (p for p in video.transcript if p.start >= referent.end - 0.25 and p.end > referent.end + 0.25), None
    )


def _said_before(video: VideoFacts, referent: Focus) -> Passage | None:
    before = [
        p for p in video.transcript if p.end <= referent.start + 0.25 and p.start < referent.start - 0.25
    ]
    return before[-1] if before else None


def relative(plan: Plan, evidence: Evidence) -> Draft:
    question = plan.question
    after = question.form is Form.AFTER
    referent = evidence.referent
    if referent is None:
        if plan.words:
            return not_found(question)
        word = "After" if after else "Before"
        return refusal(
            f"{word} what? Ask about a moment first, or name a time, for example "
            f'"What comes {word.lower()} 0:40?".',
            question,
        )
    video = next((v for v in evidence.videos if v.video_id == referent.video_id), None)
    if video is None:
        return refusal("That moment is not in this conversation's videos.", question)
    said = _said_after(video, referent) if after else _said_before(video, referent)
    scene = _scene_after(video, referent) if after else _scene_before(video, referent)
    if referent.source == "time":
        lead = f"{'After' if after else 'Before'} {clock(referent.start)}"
    elif question.immediate:
        lead = "Right after that" if after else "Just before that"
    else:
        lead = "After that" if after else "Before that"
    writer = Writer(evidence.videos)
    use_scene = scene is not None and question.channel is not Channel.SAID
    if use_scene and said is not None and question.channel is Channel.ANY and scene is not None:
        use_scene = said.start >= scene.start - 0.5 if after else said.end <= scene.end + 0.5
    if use_scene and scene is not None:
        text = describe_scene(writer, video, scene, question.channel)
        return writer.done(f"{lead}: {text}", referent=referent)
    if said is not None and question.channel is not Channel.SHOWN:
        shown = [
            p
            for p in video.text
            if p.overlaps(said.start, said.end) and not p.overlaps(referent.start, referent.end)
        ]
        extra = (
            f", while the screen shows {writer.quote(shown)}"
            if shown and question.channel is Channel.ANY
            else ""
        )
        body = f"{lead}, at {clock(said.start)}, the video says {writer.quote([said])}{extra}."
        return writer.done(body, referent=referent)
    edge = f"the video ends at {clock(video.duration)}" if after else "it is the start of the video"
    nothing = "Nothing more is said" if question.channel is Channel.SAID else "Nothing comes"
    return refusal(f"{nothing} {'after' if after else 'before'} that: {edge}.", question)


def about_referent(plan: Plan, evidence: Evidence) -> Draft:
    """ "What is that?": what is said and shown at the moment an earlier answer pointed at."""
    referent = evidence.referent
    assert referent is not None
    video = next((v for v in evidence.videos if v.video_id == referent.video_id), None)
    if video is None:
        return refusal("That moment is not in this conversation's videos.", plan.question)
    shown = [p for p in video.text if p.overlaps(referent.start, referent.end)][:RANGE_LIMIT]
    said = [p for p in video.transcript if p.overlaps(referent.start, referent.end)][:RANGE_LIMIT]
    writer = Writer(evidence.videos)
    parts = []
    if shown:
        parts.append(f"the screen shows {writer.quote(shown)}")
    if said:
        parts.append(f"the video says {writer.quote(said)}")
    if not parts:
        return refusal("Nothing is said or shown as text at that moment.", plan.question)
    return writer.done(
        f"{capital(span_words(referent.start, referent.end))} " + join(parts) + ".", referent=referent
    )
