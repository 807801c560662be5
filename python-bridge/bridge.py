"""Entry point of LangGuard's Python bridge: `python bridge.py <command>`, parameters on stdin,
credentials in the environment, one JSON message per stdout line (see langguard_bridge/)."""

import sys

from langguard_bridge.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
