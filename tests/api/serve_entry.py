"""Runs the `dw-sim` CLI with `serve` registered (the real CLI once it registers `serve` itself)."""

from __future__ import annotations

from dw_simulator.cli import app, main

if not any(command.name == "serve" for command in app.registered_commands):
    from dw_simulator.cli.serve import register

    register(app)

if __name__ == "__main__":
    main()
