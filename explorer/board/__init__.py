"""The board path: the live demo from a cached, checksummed export, without torch.

Nothing in this package imports torch, torchvision or Qt: a cached export (ONNX or ncnn, with
its labels, preprocessing recipe, tap and complexity tables in its metadata) is found, checked
and run with its runtime, numpy and OpenCV.  The window that shows it is
``explorer.ui.window.board_window``; ``explorer.launch`` picks this path.
"""
