"""Checks truce's two pages in a real browser (headless Chromium through chromedriver).

    check_pages.py --truce BIN --work DIR [--screens IMGDIR]

1. The report page of a run (`truce run --report`) opens with no console error, and every chart
   in it is drawn at its width and is not blank.
2. The explorer (`truce serve`): it loads and runs; changing a parameter changes the outcome
   table to exactly what `truce run` with the same `--set` writes; an invalid value shows the
   command line's diagnostic in place; the downloaded `--with` file reproduces the run.

Prints one JSON object of what it measured and found; `problems` lists every failed check (the
Rust test `tests/it/browser.rs` runs this and fails on any). With --screens, also writes
screen_report.png and screen_explorer.png for the README.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

SCENARIO = "scenarios/endgame.toml"
N, SEED = 10000, 20250516
PARAM, VALUE, BAD = "actors.us.pressure", "0.1", "99"


def browser(download_dir: Path) -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100"):
        opts.add_argument(a)
    opts.binary_location = "/usr/bin/chromium"
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.add_experimental_option("prefs", {"download.default_directory": str(download_dir), "download.prompt_for_download": False})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    return d


def console_errors(d) -> list[str]:
    return [e["message"] for e in d.get_log("browser") if e.get("level") == "SEVERE"]


def not_blank(png: bytes) -> tuple[int, int, int]:
    """Width, height and number of distinct colours of a screenshot."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20)
    return img.width, img.height, len(colours) if colours else 1 << 20


def summary_p(folder: Path) -> dict[str, float]:
    s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return {k: v["p"] for k, v in s["outcomes"].items()}


def page_p(d) -> dict[str, float]:
    """The outcome table as the page shows it, read in one step."""
    return d.execute_script(
        "const o = {}; for (const r of document.querySelectorAll('#outcomes tbody tr')) o[r.dataset.outcome] = Number(r.dataset.p); return o;")


def truce_run(truce: str, out: Path, extra: list[str]) -> dict[str, float]:
    cmd = [truce, "run", SCENARIO, "-n", str(N), "--seed", str(SEED), "--no-charts", "--out", str(out), *extra]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return summary_p(out)


def check_report(d, truce: str, work: Path, found: dict, problems: list, screens: Path | None):
    run = work / "report-run"
    subprocess.run([truce, "run", SCENARIO, "-n", "4000", "--seed", "1", "--report", "--out", str(run)], check=True, stdout=subprocess.DEVNULL)
    d.get((run / "report.html").as_uri())
    WebDriverWait(d, 20).until(lambda x: x.execute_script("return document.readyState") == "complete")
    errors = console_errors(d)
    if errors:
        problems.append(f"report page: console errors {errors}")
    charts = d.find_elements(By.CSS_SELECTOR, "figure.chart svg")
    found["report_charts"] = len(charts)
    if len(charts) != 6:
        problems.append(f"report page: {len(charts)} charts, expected 6")
    for svg in charts:
        name = svg.find_element(By.XPATH, "..").get_attribute("data-chart")
        d.execute_script("arguments[0].scrollIntoView()", svg)
        w, h, colours = not_blank(svg.screenshot_as_png)
        found.setdefault("report_chart_sizes", {})[name] = [w, h, colours]
        if w < 500 or h < 250 or colours < 8:
            problems.append(f"report page: chart {name} is drawn {w}×{h} with {colours} colours (blank?)")
    if screens:
        d.set_window_size(1100, 1500)
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(str(screens / "screen_report.png"))
        d.set_window_size(1400, 1100)


def wait_done(d, seq: int, timeout=60):
    """Waits until run number `seq` (or a later one) has been drawn."""
    WebDriverWait(d, timeout).until(
        lambda x: x.execute_script("return document.body.dataset.state === 'done' && Number(document.body.dataset.seq) >= arguments[0]", seq))


def set_value(d, path: str, value: str) -> int:
    """Types `value` into the parameter's number field as one change; returns the run it starts."""
    box = d.find_element(By.CSS_SELECTOR, f'input[type=number][data-path="{path}"]')
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    return d.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change')); return window.truceExplorer.seq;", box, value)


def check_explorer(d, truce: str, work: Path, found: dict, problems: list, screens: Path | None, downloads: Path):
    server = subprocess.Popen([truce, "serve", SCENARIO, "-n", str(N), "--seed", str(SEED), "--port", "0", "--output", str(work / "saved")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if "http://" not in line:
            problems.append(f"explorer: truce serve printed no URL: {line!r} {server.stderr.read() if server.poll() is not None else ''}")
            return
        url = line[line.index("http://"):].split()[0]
        found["url"] = url
        t0 = time.perf_counter()
        d.get(url)
        wait_done(d, 1)
        found["first_results_s"] = round(time.perf_counter() - t0, 3)
        errors = console_errors(d)
        if errors:
            problems.append(f"explorer: console errors {errors}")
        base = page_p(d)
        want = truce_run(truce, work / "cli-base", [])
        if base != want:
            problems.append(f"explorer: the file's values give {base}, truce run gives {want}")

        wait_done(d, set_value(d, PARAM, VALUE))
        found["change_to_redraw_ms"] = round(d.execute_script("return window.truceExplorer.lastRoundTripMs"), 1)
        tweaked = page_p(d)
        want = truce_run(truce, work / "cli-tweak", ["--set", f"{PARAM}={VALUE}"])
        found["tweaked"] = tweaked
        if tweaked != want:
            problems.append(f"explorer: with {PARAM}={VALUE} the page shows {tweaked}, truce run --set gives {want}")
        if tweaked == base:
            problems.append("explorer: the change did not change the outcome table")
        command = d.find_element(By.ID, "command").text
        if f"--set {PARAM}={VALUE}" not in command:
            problems.append(f"explorer: the command line shown is {command!r}")
        if screens:
            d.execute_script("window.scrollTo(0, 0)")
            d.save_screenshot(str(screens / "screen_explorer.png"))

        # The downloaded --with file reproduces the run.
        d.find_element(By.ID, "download").click()
        target = downloads / "endgame-overrides.toml"
        for _ in range(100):
            if target.is_file() and target.stat().st_size > 0:
                break
            time.sleep(0.1)
        if not target.is_file():
            problems.append("explorer: the overrides file was not downloaded")
        else:
            again = truce_run(truce, work / "cli-with", ["--with", str(target)])
            if again != tweaked:
                problems.append(f"explorer: the downloaded overrides give {again}, the page {tweaked}")

        # An invalid value: the command line's diagnostic, in place, and the server lives on.
        set_value(d, PARAM, BAD)
        WebDriverWait(d, 30).until(lambda x: x.execute_script("return document.body.dataset.state === 'error' && !document.body.dataset.busy"))
        msg = d.find_element(By.CSS_SELECTOR, f'.param[data-param="{PARAM}"] .msg').text
        found["diagnostic"] = msg
        for want_text in ("is out of range", f"--set {PARAM}={BAD}", "must be in [0, 10]"):
            if want_text not in msg:
                problems.append(f"explorer: the diagnostic in place does not say {want_text!r}: {msg!r}")
        wait_done(d, set_value(d, PARAM, VALUE))
        if page_p(d) != tweaked:
            problems.append("explorer: after the bad value, the good one no longer gives the same table")
        if server.poll() is not None:
            problems.append("explorer: the server stopped")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truce", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--screens")
    a = ap.parse_args()
    work = Path(a.work)
    downloads = work / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    screens = Path(a.screens) if a.screens else None
    found, problems = {}, []
    d = browser(downloads)
    try:
        found["browser"] = d.capabilities.get("browserVersion")
        check_report(d, a.truce, work, found, problems, screens)
        check_explorer(d, a.truce, work, found, problems, screens, downloads)
    finally:
        d.quit()
    print(json.dumps({"found": found, "problems": problems}))


if __name__ == "__main__":
    sys.exit(main())
