"""ShuffleNet Explorer: `python main.py` opens the window; `python main.py info ...` etc. run headless."""

import sys

from explorer.launch import main

if __name__ == "__main__":
    sys.exit(main())
