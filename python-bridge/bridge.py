"""Entry point of LangGuard's Python bridge: `python bridge.py <command>`, parameters on stdin,
credentials in the environment, one JSON message per stdout line (see langguard_bridge/); or
`python bridge.py --fork-server`, the warm bridge that forks a child per command (forkserver.py),
each of which runs main() as a cold start would. The choice is made here, so main and the fork
server do not import each other."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--fork-server"]:
        from langguard_bridge.forkserver import serve

        sys.exit(serve())
    from langguard_bridge.main import main

    sys.exit(main(sys.argv))
