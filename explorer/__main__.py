import sys

from explorer.launch import main

sys.exit(main())
