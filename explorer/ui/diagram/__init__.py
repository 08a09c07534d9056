"""The Diagram tab: the network drawn as the papers draw it, and its SVG/PNG export."""
