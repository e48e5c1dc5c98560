"""The evaluation sets stay held out: none of their messages is a training example."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def training_examples() -> dict[str, str]:
    examples = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples[_normal(ANNOTATION.sub(r"\1", line[2:]))] = block["intent"]
    return examples


def held_out_messages() -> list[str]:
    data = ROOT / "tests" / "data"
    messages = [q["text"] for q in yaml.safe_load((data / "faq_devset.yml").read_text())["questions"]]
    messages += yaml.safe_load((data / "out_of_scope.yml").read_text())["messages"]
    test_set = yaml.safe_load((data / "faq_testset.yml").read_text())
    messages += [q["text"] for q in test_set["questions"]]
    messages += [m if isinstance(m, str) else m["text"] for m in test_set["out_of_scope"]]
    return messages


def test_no_evaluation_message_is_a_training_example():
    examples = training_examples()
    held_out = held_out_messages()
    assert len(examples) > 2000 and len(held_out) > 500
    # Punctuation alone ("?", "????") has no words to compare.
    copied = [m for m in held_out if _normal(m) and _normal(m) in examples]
    assert copied == []
