"""The FAQ search's sentence encoder: the published model's vectors, and what it keeps."""

from __future__ import annotations

import numpy as np
import pytest

from bot.faq import encoder as encoder_module
from bot.faq.encoder import Encoder, EncoderMissing
from ops.encoder_model import DIRECTORY, FILES, in_place

# Vectors of sentence-transformers' all-MiniLM-L6-v2 for these sentences, computed with
# sentence-transformers itself (SentenceTransformer(...).encode(..., normalize_embeddings=True)).
FOOD, BREAD, BABY = "A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby."
LIBRARY = "Can our council library service spin out as a mutual?"
LEAVE = "How do library staff leave the council and run the service themselves?"
FOOD_START = [0.033242, 0.004406, -0.006277, 0.048379, -0.138702, -0.033617, 0.101128, -0.054385]
LIBRARY_START = [-0.060195, -0.115167, -0.040652, -0.053593, -0.017591, 0.010205, -0.044248, -0.115684]
PUBLISHED_COSINES = {(FOOD, BREAD): 0.7553, (FOOD, BABY): -0.1050, (LIBRARY, LEAVE): 0.7049}


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return encoder_module.shared()


def test_the_model_in_place_is_the_published_one():
    assert in_place(DIRECTORY), "run `make install`"


def test_vectors_are_the_published_models(encoder):
    vectors = encoder.encode([FOOD, LIBRARY])
    assert vectors.shape == (2, 384)
    assert np.allclose(vectors[0, :8], FOOD_START, atol=1e-5)
    assert np.allclose(vectors[1, :8], LIBRARY_START, atol=1e-5)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for (a, b), cosine in PUBLISHED_COSINES.items():
        va, vb = encoder.encode([a, b])
        assert float(va @ vb) == pytest.approx(cosine, abs=1e-3)


def test_a_batch_gives_what_one_at_a_time_gives(encoder):
    texts = [FOOD, "Will I keep my NHS pension if we spin out?", "tupe", BABY * 5]
    together = encoder.encode(texts)
    for text, row in zip(texts, together, strict=True):
        alone = Encoder.__new__(Encoder)  # no cache: a second, cold pass over one text
        alone.__dict__.update({k: v for k, v in encoder.__dict__.items() if k != "_cache"})
        assert np.allclose(alone._forward([text])[0], row, atol=1e-5)


def test_meaning_ranks_a_paraphrase_above_an_unrelated_question(encoder):
    paraphrase = "Is it possible for library staff to take the service out of the council?"
    question, paraphrase, unrelated = encoder.encode([LIBRARY, paraphrase, "When is my bin collected?"])
    assert question @ paraphrase > 0.6 > 0.2 > question @ unrelated


@pytest.fixture
def private_copy(tmp_path):
    """The model's files linked into a directory of the test's own (for its vectors file)."""
    for name in FILES:
        (tmp_path / name).symlink_to(DIRECTORY / name)
    return tmp_path


def test_only_the_faqs_own_phrasings_are_kept_on_disk(private_copy):
    first = Encoder(private_copy)
    first.encode(["What is a public service mutual?"], store=True)
    first.encode(["my name is Jo Bloggs and my number is 07700 900123"])  # a visitor's message
    kept = np.load(private_copy / encoder_module.VECTOR_FILE)["texts"].tolist()
    assert kept == ["What is a public service mutual?"]
    second = Encoder(private_copy)
    assert "What is a public service mutual?" in second._stored
    again = ["What is a public service mutual?"]
    assert np.allclose(second.encode(again), first.encode(again))


def test_an_unreadable_vectors_file_is_encoded_again(private_copy, caplog):
    (private_copy / encoder_module.VECTOR_FILE).write_bytes(b"not a numpy file")
    encoder = Encoder(private_copy)
    assert encoder.encode(["pension"], store=True).shape == (1, 384)
    assert "unreadable" in caplog.text
    assert np.load(private_copy / encoder_module.VECTOR_FILE)["texts"].tolist() == ["pension"]


def test_a_missing_model_says_how_to_get_it(tmp_path):
    with pytest.raises(EncoderMissing, match="make install"):
        Encoder(tmp_path)
