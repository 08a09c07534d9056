"""Teach mode: learn new classes from a few live frames with a linear head on a frozen backbone."""

from explorer.teach.head import HeadError, TaughtHead, backbone_fingerprint, load_head, save_head
from explorer.teach.trainer import train_head

__all__ = ["HeadError", "TaughtHead", "backbone_fingerprint", "load_head", "save_head", "train_head"]
