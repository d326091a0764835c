"""The demo firmware's figures the README quotes, from a real build.

    .venv/bin/python benchmarks/firmware_figures.py            # print the README's line
    .venv/bin/python benchmarks/firmware_figures.py --update   # and write it into README.md

Builds the demo for the NUCLEO-F767ZI (`scons target=stm32f7`, arm-none-eabi-gcc needed)
and reads the runtime's and the whole network's flash and RAM from the report written after
linking (build/stm32f7/firmware.network_report.txt), the figures the build prints as
`network: runtime ... B flash`. ST's figures are those of its seed report for the same model.
tests/scons/test_firmware.py checks that the README holds what this prints.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORT = "build/stm32f7/firmware.network_report.txt"
# ST's seed report for the demo model (X-CUBE-AI on STM32F7): runtime flash, total flash, RAM.
ST_FIGURES = ("24,940", "63,036", "10,392")
# The README's bullet, from its first words to its last figure.
README_LINE = re.compile(r"- The demo firmware for NUCLEO-F767ZI against ST's seed report:.*?"
                         r"\(ST: [\d,]+ B and [\d,]+ B\)\.", re.S)


def readme_line(report: str) -> str:
    """The README's bullet for the figures of a firmware report."""
    sys.path.insert(0, str(REPO))
    from edgeai_tool.scons.firmware_report import summary_figures

    figures = summary_figures(report)
    if figures is None:
        raise SystemExit(f"firmware_figures: no Summary in {REPORT}")
    st_runtime, st_flash, st_ram = ST_FIGURES
    return ("- The demo firmware for NUCLEO-F767ZI against ST's seed report: runtime "
            f"{figures['runtime_flash']} B flash\n  (ST: {st_runtime} B), total "
            f"{figures['flash']} B flash and {figures['ram']} B RAM (ST: {st_flash} B and "
            f"{st_ram} B).")


def build_report() -> str:
    subprocess.run([sys.executable, "-m", "SCons", "-Q", "target=stm32f7", REPORT], cwd=REPO,
                   check=True, stdout=subprocess.DEVNULL)
    return (REPO / REPORT).read_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the line into README.md")
    args = parser.parse_args()
    line = readme_line(build_report())
    print(line)
    if args.update:
        readme = REPO / "README.md"
        text = readme.read_text()
        if not README_LINE.search(text):
            raise SystemExit("firmware_figures: README.md has no firmware figures line")
        readme.write_text(README_LINE.sub(lambda _: line, text, count=1))


if __name__ == "__main__":
    main()
