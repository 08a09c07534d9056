"""Synthetic inertial-sensor streams: six activities, nine channels, deterministic by seed.

What a phone on the waist records (the layout of the UCI HAR data set the tutorial's network
was made for): body acceleration x/y/z and angular velocity x/y/z from the gyroscope, and the
total acceleration x/y/z (body + gravity), in g and rad/s, at 50 Hz.  The activities differ the
way real ones do, and no single statistic gives them away:

- gait (walking, climbing stairs, running): step frequency, amplitude and waveform.  Walking is
  a smooth two-harmonic oscillation; a stair step is a sharp heel impact that decays; running is
  faster and stronger.  Each stretch gets its own person: amplitude x0.7-1.3, frequency jitter,
  so walking and stairs overlap in level and spread and only the waveform tells them apart.
- posture (sitting, standing, lying): the direction of gravity in the device frame (upright,
  pitched ~55 degrees, on its back), with sway and the odd fidget.
- every stretch: the device sits a little rotated (up to ~12 degrees), sensor noise, a slowly
  drifting gyro bias, and a one-second crossfade into the next activity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ACTIVITIES = ("walking", "upstairs", "running", "sitting", "standing", "lying")
CHANNELS = (
    "body_acc_x",
    "body_acc_y",
    "body_acc_z",
    "gyro_x",
    "gyro_y",
    "gyro_z",
    "total_acc_x",
    "total_acc_y",
    "total_acc_z",
)
SAMPLE_RATE = 50.0
GAIT = {"walking": (1.6, 2.1, 0.22), "upstairs": (1.4, 1.9, 0.22), "running": (2.5, 3.2, 0.75)}  # Hz range, g
POSTURE_PITCH = {"sitting": 55.0, "standing": 0.0, "lying": 90.0}  # degrees from upright
CROSSFADE_S = 1.0


@dataclass(frozen=True)
class Stream:
    """``signals`` (samples, 9) float32 and ``labels`` (samples,) int64 indices into ACTIVITIES."""

    signals: np.ndarray
    labels: np.ndarray
    rate: float = SAMPLE_RATE


def _rotation(rng: np.random.Generator, max_degrees: float) -> np.ndarray:
    axis = rng.normal(size=3)
    axis /= np.linalg.norm(axis)
    angle = np.radians(rng.uniform(0, max_degrees))
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


def _gait(activity: str, t: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(body acc, gyro) of one stretch of walking, stair climbing or running."""
    low, high, amplitude = GAIT[activity]
    f = rng.uniform(low, high) * (1 + 0.03 * np.sin(2 * np.pi * rng.uniform(0.05, 0.2) * t))  # cadence wanders
    phase = 2 * np.pi * np.cumsum(f) / SAMPLE_RATE + rng.uniform(0, 2 * np.pi)
    a = amplitude * rng.uniform(0.7, 1.3)
    acc = np.zeros((len(t), 3))
    gyro = np.zeros((len(t), 3))
    if activity == "upstairs":
        # a heel strike per step: a sharp rise and an exponential decay, level-matched to walking
        step = np.mod(phase, 2 * np.pi) / (2 * np.pi)
        pulse = np.exp(-step / 0.12) - 0.12 * (1 - np.exp(-1 / 0.12))
        # the same spread per channel as walking's (0.75 a on x): only the shape differs
        pulse = (pulse - pulse.mean()) / (pulse.std() + 1e-9) * 0.75
        acc[:, 0] = a * pulse
        acc[:, 1] = 0.5 * a * np.sign(np.sin(phase - 0.6)) * np.sqrt(0.5)  # a step, then a push
        acc[:, 2] = 0.3 * a * np.sin(phase / 2)
        gyro[:, 0] = 1.5 * a * np.sin(phase / 2 + 0.3)
        gyro[:, 1] = 0.8 * a * np.sin(phase + 0.9)
    else:
        acc[:, 0] = a * (np.sin(phase) + 0.35 * np.sin(2 * phase + 0.5))
        acc[:, 1] = 0.5 * a * np.sin(phase + np.pi / 2)
        acc[:, 2] = 0.3 * a * np.sin(phase / 2)
        gyro[:, 0] = 1.5 * a * np.sin(phase / 2)
        gyro[:, 1] = 0.8 * a * np.sin(phase + 0.4)
    gyro[:, 2] = 0.3 * a * np.sin(phase / 2 + 1.1)
    return acc, gyro


def _posture(activity: str, t: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """(body acc, gyro, pitch in degrees) of a still posture: sway and the odd fidget."""
    sway = 0.01 * np.sin(2 * np.pi * rng.uniform(0.2, 0.4) * t + rng.uniform(0, 6.3))
    acc = np.zeros((len(t), 3))
    acc[:, 1] = sway
    gyro = np.zeros((len(t), 3))
    gyro[:, 0] = 5 * sway
    for _ in range(rng.poisson(len(t) / SAMPLE_RATE / 8)):  # a fidget every ~8 s
        start = rng.integers(0, max(1, len(t) - 25))
        bump = np.hanning(25) * rng.normal(0, 0.08, size=(1, 3)).T
        acc[start : start + 25] += bump.T[: len(acc[start : start + 25])]
        gyro[start : start + 25] += 3 * bump.T[: len(gyro[start : start + 25])]
    return acc, gyro, POSTURE_PITCH[activity] + rng.normal(0, 8)


def _stretch(activity: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """(samples, 9) for one stretch of one activity, in the device's (slightly rotated) frame."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    if activity in GAIT:
        acc, gyro = _gait(activity, t, rng)
        pitch = rng.normal(0, 6)
    else:
        acc, gyro, pitch = _posture(activity, t, rng)
    p = np.radians(pitch)
    gravity = np.array([np.cos(p), np.sin(p), 0.0])  # x points up when upright
    mount = _rotation(rng, 12.0)
    acc, gyro, gravity = acc @ mount.T, gyro @ mount.T, mount @ gravity
    acc += rng.normal(0, 0.02, acc.shape)
    gyro += rng.normal(0, 0.03, gyro.shape) + np.cumsum(rng.normal(0, 0.0015, gyro.shape), axis=0)  # bias drift
    return np.concatenate([acc, gyro, acc + gravity], axis=1)


def generate(seconds: float, seed: int = 0, min_stretch: float = 8.0, max_stretch: float = 20.0) -> Stream:
    """A continuous stream of ``seconds`` seconds: activities in random order and length, each
    fading into the next over one second.  Same seed, same stream."""
    if seconds <= 0:
        raise ValueError(f"seconds must be positive, got {seconds!r}")
    rng = np.random.default_rng(seed)
    fade = int(CROSSFADE_S * SAMPLE_RATE)
    total = int(seconds * SAMPLE_RATE)
    signals, labels = [], []
    previous = None
    length = 0
    while length < total:
        choices = [a for a in range(len(ACTIVITIES)) if a != previous]
        activity = int(rng.choice(choices))
        stretch = _stretch(ACTIVITIES[activity], rng.uniform(min_stretch, max_stretch), rng)
        if signals and fade:
            tail = signals[-1][-fade:]
            weight = np.linspace(0, 1, fade)[:, None]
            stretch[:fade] = (1 - weight) * tail + weight * stretch[:fade]
            signals[-1] = signals[-1][:-fade]
            labels[-1] = labels[-1][:-fade]
            length -= fade
        signals.append(stretch)
        labels.append(np.full(len(stretch), activity, dtype=np.int64))
        length += len(stretch)
        previous = activity
    return Stream(np.concatenate(signals)[:total].astype(np.float32), np.concatenate(labels)[:total])


def windows(stream: Stream, series: int = 128, hop: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Sliding windows (count, series, 9) and the label at each window's centre."""
    if series < 1 or hop < 1:
        raise ValueError(f"series and hop must be positive, got {series}, {hop}")
    starts = np.arange(0, len(stream.signals) - series + 1, hop)
    if not len(starts):
        raise ValueError(f"the stream has {len(stream.signals)} samples, fewer than one window of {series}")
    index = starts[:, None] + np.arange(series)[None, :]
    return stream.signals[index], stream.labels[starts + series // 2]
