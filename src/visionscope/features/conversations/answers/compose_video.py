"""Answers about a video as a whole or one of its scenes: length, scenes, chapters, summary, all
its text or speech, a scene's content, colours. Pure: facts in, draft out."""

from __future__ import annotations

import re
from collections import defaultdict

from .compose_topics import Evidence, supported
from .knowledge import TEXT, TRANSCRIPT, SceneFacts, VideoFacts
from .memory import Plan
from .questions import Channel
from .terms import literally_in, stem, words
from .timecodes import spoken_length
from .writing import (
    Draft,
    Writer,
    capital,
    colours_in_words,
    join,
    look_in_words,
    not_found,
    refusal,
    span_words,
)

LIST_LIMIT = 12


def videos_for(plan: Plan, evidence: Evidence) -> list[VideoFacts]:
    """The video a follow-up is about, or every video of the conversation."""
    if evidence.referent is not None:
        chosen = [v for v in evidence.videos if v.video_id == evidence.referent.video_id]
        if chosen:
            return chosen
    return list(evidence.videos)


def _named(writer: Writer, video: VideoFacts, sentence: str) -> str:
    """The sentence, after 'In "name",' when the answer covers several videos."""
    where = writer.where(video.video_id)
    return capital(where + sentence[0].lower() + sentence[1:]) if where else sentence


def duration(plan: Plan, evidence: Evidence) -> Draft:
    writer = Writer(evidence.videos)
    sentences = []
    for video in videos_for(plan, evidence):
        writer.cite(video.length_fact())
        sentences.append(_named(writer, video, f"The video is {spoken_length(video.duration)} long."))
    return writer.done(" ".join(sentences))


def scene_count(plan: Plan, evidence: Evidence) -> Draft:
    writer = Writer(evidence.videos)
    sentences = []
    for video in videos_for(plan, evidence):
        scenes = video.scenes
        if not scenes:
            continue
        if len(scenes) == 1:
            mark = writer.cite(video.note_of(scenes[0]))
            sentences.append(
                _named(writer, video, f"The video is one continuous scene, with no cuts {mark}.")
            )
            continue
        listed = [f"{s.index + 1} at {writer.cite(video.note_of(s))}" for s in scenes[:LIST_LIMIT]]
        more = f", and {len(scenes) - LIST_LIMIT} more" if len(scenes) > LIST_LIMIT else ""
        sentences.append(
            _named(
                writer,
                video,
                f"The video has {len(scenes)} scenes ({len(scenes) - 1} cuts): "
                + ", ".join(listed)
                + more
                + ".",
            )
        )
    if not sentences:
        return refusal("The video's scenes are not known.", plan.question)
    return writer.done(" ".join(sentences))


def chapters(plan: Plan, evidence: Evidence) -> Draft:
    writer = Writer(evidence.videos)
    sentences = []
    for video in videos_for(plan, evidence):
        titles = video.chapters
        if not titles:
            continue
        listed = [f'{n}. "{c.text}" {writer.cite(c)}' for n, c in enumerate(titles[:LIST_LIMIT], start=1)]
        more = f"; and {len(titles) - LIST_LIMIT} more" if len(titles) > LIST_LIMIT else ""
        count = "one chapter" if len(titles) == 1 else f"{len(titles)} chapters"
        sentences.append(_named(writer, video, f"The video has {count}: " + "; ".join(listed) + more + "."))
    if not sentences:
        return refusal(
            "The video has no chapters: nothing in it is said or shown to divide it by.", plan.question
        )
    return writer.done(" ".join(sentences))


def summary(plan: Plan, evidence: Evidence) -> Draft:
    writer = Writer(evidence.videos)
    videos = videos_for(plan, evidence)
    per_video = 8 if len(videos) == 1 else 3
    sentences = []
    for video in videos:
        picked = list(video.summary[:per_video])
        if picked:
            body = " ".join(f"{_sentence(p.text)} {writer.cite(p)}" for p in picked)
            sentences.append(_named(writer, video, f"In short: {body}"))
        elif video.chapters:
            listed = join([f'"{c.text}" {writer.cite(c)}' for c in video.chapters[:LIST_LIMIT]])
            sentences.append(
                _named(writer, video, f"The video has nothing said to summarise; it shows {listed}.")
            )
    if not sentences:
        return refusal("The video has no speech or on-screen text to summarise.", plan.question)
    return writer.done(" ".join(sentences))


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def all_text(plan: Plan, evidence: Evidence) -> Draft:
    writer = Writer(evidence.videos)
    sentences = []
    for video in videos_for(plan, evidence):
        lines = list(video.text)
        if not lines:
            continue
        limit = 2 * LIST_LIMIT
        more = f", and {len(lines) - limit} more lines" if len(lines) > limit else ""
        sentences.append(_named(writer, video, f"The screen shows {writer.quote(lines[:limit])}{more}."))
    if not sentences:
        return refusal("The video shows no text on screen.", plan.question)
    return writer.done(" ".join(sentences))


def all_speech(plan: Plan, evidence: Evidence) -> Draft:
    writer = Writer(evidence.videos)
    sentences = []
    for video in videos_for(plan, evidence):
        said = list(video.transcript)
        if not said:
            continue
        more = f" ... and {len(said) - LIST_LIMIT} more sentences." if len(said) > LIST_LIMIT else ""
        body = " ".join(f"{_sentence(p.text)} {writer.cite(p)}" for p in said[:LIST_LIMIT])
        sentences.append(_named(writer, video, f"The video says: {body}{more}"))
    if not sentences:
        return refusal("Nothing is said in the video.", plan.question)
    return writer.done(" ".join(sentences))


def describe_scene(writer: Writer, video: VideoFacts, scene: SceneFacts, channel: Channel) -> str:
    """What a scene shows and says, in one or two sentences."""
    shown = video.in_scene(video.text, scene)
    said = [p for p in video.transcript if scene.start <= (p.start + p.end) / 2 < scene.end]
    name = f"Scene {scene.index + 1} ({span_words(scene.start, scene.end)})"
    parts = []
    if shown and channel is not Channel.SAID:
        parts.append(f"shows {writer.quote(shown)}")
    if said and channel is not Channel.SHOWN:
        parts.append(f"the video says {writer.quote(said[:4])}")
    look = f"The picture is {look_in_words(scene)} {writer.cite(video.note_of(scene))}."
    if not parts:
        nothing = {Channel.SAID: "has nothing said", Channel.SHOWN: "has no text on screen"}.get(
            channel, "has no speech or text"
        )
        return f"{name} {nothing}. {look}"
    return f"{name} " + join(parts) + ". " + (look if channel is not Channel.SAID else "")


def scene(plan: Plan, evidence: Evidence) -> Draft:
    question = plan.question
    assert question.scene is not None
    writer = Writer(evidence.videos)
    sentences = []
    for video in videos_for(plan, evidence):
        index = question.scene.index(len(video.scenes))
        if index is None:
            continue
        sentences.append(
            writer.where(video.video_id)
            + describe_scene(writer, video, video.scenes[index], question.channel)
        )
    if not sentences:
        counts = ", ".join(str(len(v.scenes)) for v in evidence.videos)
        return refusal(f"There is no such scene: the video has {counts} scenes.", question)
    return writer.done(" ".join(sentences))


def _target_scenes(plan: Plan, evidence: Evidence) -> list[tuple[VideoFacts, SceneFacts]]:
    question = plan.question
    targets: list[tuple[VideoFacts, SceneFacts]] = []
    for video in videos_for(plan, evidence):
        if question.scene is not None:
            index = question.scene.index(len(video.scenes))
            if index is not None:
                targets.append((video, video.scenes[index]))
        elif question.time is not None:
            lo, hi = question.time.resolve(video.duration)
            targets.extend(
                (video, s)
                for s in video.scenes
                if s.start <= lo < s.end or (s.start < hi and s.end > lo and hi > lo)
            )
        elif evidence.referent is not None and evidence.referent.video_id == video.video_id:
            found = video.scene_at((evidence.referent.start + evidence.referent.end) / 2)
            if found is not None:
                targets.append((video, found))
    return targets


#: A colour question about the picture, not a thing in it: "the background when the price appears".
_ASKS_THE_PICTURE = re.compile(r"\b(background|screen|picture|frame|image|scene|shot|slide)\b")


def _scenes_of_moments(evidence: Evidence) -> list[tuple[VideoFacts, SceneFacts]]:
    """The scenes of the moments that hold the question's topic, in time order, once each."""
    videos = {v.video_id: v for v in evidence.videos}
    targets: dict[tuple[object, int], tuple[VideoFacts, SceneFacts]] = {}
    for moment in sorted(supported(evidence), key=lambda m: m.start):
        video = videos.get(moment.video_id)
        found = video.scene_at((moment.start + moment.end) / 2) if video is not None else None
        if video is not None and found is not None:
            targets.setdefault((video.video_id, found.index), (video, found))
    return list(targets.values())


def _share(scene: SceneFacts, colour: str) -> float:
    return sum(share for name, share in scene.colours if name == colour)


def colour(plan: Plan, evidence: Evidence) -> Draft:
    question = plan.question
    writer = Writer(evidence.videos)
    targets = _target_scenes(plan, evidence)
    if not targets and plan.words and _ASKS_THE_PICTURE.search(question.text.lower()):
        targets = _scenes_of_moments(evidence)  # "the background when the price appears"
    if not targets and plan.words:
        return _colour_of_thing(plan, evidence)
    if targets:
        sentences = []
        for video, s in targets[:LIST_LIMIT]:
            mark = writer.cite(video.note_of(s))
            name = f"scene {s.index + 1} ({span_words(s.start, s.end)})"
            if question.colour and question.yes_no:
                yes = _share(s, question.colour) >= 0.3
                sentences.append(f"{'Yes' if yes else 'No'}: {name} is {colours_in_words(s)} {mark}.")
            else:
                sentences.append(
                    capital(f"{writer.where(video.video_id)}{name} is {colours_in_words(s)} {mark}.")
                )
        return writer.done(" ".join(sentences))
    if question.colour:
        return _scenes_of_colour(plan, evidence, question.colour)
    return _overall_colours(plan, evidence)


def _scenes_of_colour(plan: Plan, evidence: Evidence, wanted: str) -> Draft:
    writer = Writer(evidence.videos)
    found = [(v, s) for v in videos_for(plan, evidence) for s in v.scenes if _share(s, wanted) >= 0.2]
    if not found:
        return refusal(f"No scene of the video is mostly {wanted}.", plan.question)
    listed = [
        f"{writer.where(v.video_id)}scene {s.index + 1} ({span_words(s.start, s.end)}, "
        f"{_share(s, wanted):.0%}) {writer.cite(v.note_of(s))}"
        for v, s in found[:LIST_LIMIT]
    ]
    lead = "Yes: " if plan.question.yes_no else ""
    return writer.done(f"{lead}{capital(wanted)} fills the picture in " + join(listed) + ".")


def _overall_colours(plan: Plan, evidence: Evidence) -> Draft:
    writer = Writer(evidence.videos)
    sentences = []
    for video in videos_for(plan, evidence):
        if not video.scenes:
            continue
        weight: dict[str, float] = defaultdict(float)
        for s in video.scenes:
            for name, share in s.colours:
                weight[name] += share * (s.end - s.start)
        total = sum(s.end - s.start for s in video.scenes) or 1.0
        top = sorted(weight.items(), key=lambda kv: -kv[1])[:4]
        overall = join([f"{name} ({value / total:.0%})" for name, value in top])
        per_scene = "; ".join(
            f"scene {s.index + 1} {colours_in_words(s)} {writer.cite(video.note_of(s))}"
            for s in video.scenes[:LIST_LIMIT]
        )
        sentences.append(
            capital(
                f"{writer.where(video.video_id)}the main colours are {overall}. Scene by scene: {per_scene}."
            )
        )
    if not sentences:
        return refusal("The video's colours are not known.", plan.question)
    return writer.done(" ".join(sentences))


_COLOUR_WORDS = re.compile(
    r"\b(black|white|grey|gray|red|orange|brown|yellow|green|cyan|blue|purple|violet|pink|gold|silver|beige)\b"
)


def _colour_of_thing(plan: Plan, evidence: Evidence) -> Draft:
    """The colour of a thing, only where the video says or writes it ("the red truck")."""
    stems = {stem(w) for w in plan.words}
    for moment in supported(evidence):
        for passage in moment.passages:
            if passage.source not in (TRANSCRIPT, TEXT):
                continue
            tokens = words(passage.text)
            for i, token in enumerate(tokens):
                if not _COLOUR_WORDS.fullmatch(token):
                    continue
                near = tokens[max(i - 3, 0) : i + 4]
                if any(literally_in(t, stems) for t in near):
                    writer = Writer(evidence.videos)
                    thing = capital(plan.question.phrase or "it")
                    verb = "are" if thing.endswith("s") and not thing.endswith("ss") else "is"
                    return writer.done(
                        f"{thing} {verb} {token}. {writer.where(passage.video_id)}The video "
                        f"{'says' if passage.source == TRANSCRIPT else 'shows'} {writer.quote([passage])}."
                    )
    return not_found(
        plan.question,
        f"what colour {plan.question.phrase or 'that'} is "
        "(I see the colours of whole pictures, not of things in them)",
    )
