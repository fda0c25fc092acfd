"""The README's promises that a script can hold it to.

Its set-up section has exactly two commands (the main job, every test);
`.ci/run` runs the second one word for word, so what CI proves is what a
user who copies the README gets. Every relative link in the README and in
the component READMEs it links points at a file or folder that exists.
"""
import re
from pathlib import Path

from conftest import REPO

README = REPO / "README.md"


def setup_commands():
    """The fenced sh blocks of the '## Two commands' section, as lines."""
    text = README.read_text()
    m = re.search(r"^## Two commands.*?$(.*?)^## ", text, re.S | re.M)
    assert m, "README.md has no '## Two commands' section"
    blocks = re.findall(r"^```sh\n(.*?)^```", m.group(1), re.S | re.M)
    return [b.strip() for b in blocks]


def test_readme_has_exactly_two_setup_commands():
    cmds = setup_commands()
    assert len(cmds) == 2, cmds
    assert all("\n" not in c for c in cmds), "each set-up command is one line"
    for c in cmds:
        assert c.startswith("./.ci/install-deps && "), c
    assert "streamproof run workloads/quickstart.yaml" in cmds[0]
    assert "ctest" in cmds[1] and "-DSP_SANITIZE=ON" in cmds[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    body = [l for l in ci if l.strip() and not l.startswith("#") and not l.startswith(("set ", "cd "))]
    assert body == [setup_commands()[1]], body


def test_the_main_job_files_exist():
    main_job = setup_commands()[0]
    for word in main_job.split():
        if word.endswith(".yaml"):
            assert (REPO / word).is_file(), word


def markdown_links(path):
    """Relative link targets of a markdown file, without anchors."""
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        yield target.split("#", 1)[0]


def test_readme_links_resolve():
    pages = [README] + [README.parent / t for t in markdown_links(README) if t.endswith(".md")]
    broken = []
    for page in pages:
        if not page.is_file():
            broken.append(f"{README.name}: {page.relative_to(REPO)}")
            continue
        for target in markdown_links(page):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(REPO)}: {target}")
    assert broken == [], "links to files that do not exist:\n" + "\n".join(broken)
