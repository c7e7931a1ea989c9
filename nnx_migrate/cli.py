"""The `nnx-migrate` command: migrate (the default), rules."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from nnx_migrate import __version__, flax_api
from nnx_migrate.config import (
    ConfigError,
    build_settings,
    find_pyproject,
    load_pyproject,
)
from nnx_migrate.rulenames import RULE_NAMES

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Migrate flax NNX code from flax 0.10/0.11 idioms to flax 0.12.\n\n"
    "`nnx-migrate PATH...` is short for `nnx-migrate migrate PATH...`.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
SUBCOMMANDS = ("migrate", "rules", "verify", "trace", "explain")


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nnx-migrate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    pass


@contextlib.contextmanager
def _progress_bar(enabled: bool):
    """A rich progress bar on stderr for long runs on a terminal; nothing otherwise."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True, emoji=False)) as bar:
        task = bar.add_task("migrating", total=None)

        def update(done: int, total: int) -> None:
            if total >= 50:
                bar.update(task, completed=done, total=total)

        yield update


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _project_root(paths: list[Path], pyproject: Path | None) -> Path:
    start = Path.cwd()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return pyproject.parent if pyproject else start


@app.command(
    "migrate",
    epilog="Exit status: 0 done (or nothing to do); 1 with --check when files would change "
    "(or, with --strict, when items need manual attention); 2 usage error; 123 when a file "
    "could not be processed (it is left unchanged; this wins over 1).",
)
def migrate(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to migrate.", show_default=False)],
    diff: Annotated[bool, typer.Option("--diff", help="Print unified diffs and write nothing.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if any file would change.")] = False,
    review: Annotated[bool, typer.Option("--review", help="Walk the changes hunk by hunk; write only the accepted ones.")] = False,
    select: Annotated[Optional[list[str]], typer.Option("--select", metavar="RULE", help="Only these rules (comma-separated or repeated).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", metavar="RULE", help="Skip these rules.")] = None,
    target_version: Annotated[
        Optional[str],
        typer.Option("--target-version", metavar="VERSION", help="Oldest flax the migrated code must run on "
                     f"(default {flax_api.format_version(flax_api.NEWEST)}); only forms that exist there are emitted."),
    ] = None,
    unsafe_fixes: Annotated[
        Optional[bool], typer.Option("--unsafe-fixes/--no-unsafe-fixes", help="Also apply fixes that may change behaviour.", show_default=False)
    ] = None,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", metavar="GLOB", help="Gitignore-style glob of paths to skip (repeatable).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="With --check, items needing manual attention also fail.")] = False,
    output_format: Annotated[OutputFormat, typer.Option("--output-format", help="Report format.")] = OutputFormat.text,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Only report errors.")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="List every rewrite; show tracebacks.")] = False,
    color: Annotated[Optional[bool], typer.Option("--color/--no-color", help="Colour diffs (default: when stdout is a terminal).", show_default=False)] = None,
    stdin_filename: Annotated[Optional[Path], typer.Option("--stdin-filename", metavar="NAME", help="With `-` as the path: the name of the file read from stdin.")] = None,
    include_docs: Annotated[Optional[bool], typer.Option("--include-docs/--no-include-docs", help="Also migrate Python blocks in Markdown/MyST/reST pages.", show_default=False)] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N", help="Worker processes (default: all cores; small runs use one).", show_default=False)] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the results cache.")] = False,
    cache_dir: Annotated[Optional[Path], typer.Option("--cache-dir", metavar="DIR", help="Where the results cache lives (default: the user cache directory).")] = None,
    evidence: Annotated[Optional[Path], typer.Option("--evidence", metavar="FILE", help="Evidence from `nnx-migrate trace`: also rewrite what the traced run showed.")] = None,
) -> None:
    """Rewrite files in place (or show/check what would change)."""
    from nnx_migrate.pipeline import run
    from nnx_migrate.report import (
        EXIT_USAGE,
        exit_code,
        github_annotations,
        json_report,
        print_diffs,
        print_text_summary,
        sarif_report,
    )

    pyproject_path = find_pyproject(paths)
    try:
        pyproject = load_pyproject(pyproject_path) if pyproject_path else {}
        settings = build_settings(
            pyproject, select=select, ignore=ignore, target_version=target_version,
            unsafe_fixes=unsafe_fixes, exclude=exclude, known_rules=RULE_NAMES, include_docs=include_docs,
            evidence=str(evidence.resolve()) if evidence else None,
        )
        _load_evidence(settings, pyproject_path, from_flag=evidence is not None)
    except ConfigError as error:
        typer.echo(f"nnx-migrate: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE)
    missing = [p for p in paths if str(p) != "-" and not (p.exists() or p.is_symlink())]
    if missing:  # as black and ruff: a usage error, found before anything is touched
        for path in missing:
            typer.echo(f"nnx-migrate: error: {path}: no such file or directory", err=True)
        raise typer.Exit(EXIT_USAGE)
    from_stdin = [str(p) for p in paths] == ["-"]
    if from_stdin and review and not (diff or check):
        # the hunks' answers would come from the stream that holds the code, and the
        # accepted ones be written to a file named after `--stdin-filename` (or stdin.py)
        typer.echo("nnx-migrate: error: `--review` needs files on disk, not `-` (stdin): use `--diff` to read "
                   "the changes, or give the file's path", err=True)
        raise typer.Exit(EXIT_USAGE)
    if from_stdin:
        from nnx_migrate.pipeline import run_stdin

        result = run_stdin(sys.stdin.buffer.read(), stdin_filename or Path("stdin.py"), settings)
        (file,) = result.files
        if not (diff or check) and file.new_text is not None:
            sys.stdout.buffer.write(file.new_text.encode(file.encoding))
            sys.stdout.flush()
    elif "-" in [str(p) for p in paths]:
        typer.echo("nnx-migrate: error: `-` (stdin) cannot be combined with other paths", err=True)
        raise typer.Exit(EXIT_USAGE)
    else:
        from nnx_migrate.cache import default_directory

        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            with _progress_bar(enabled=not quiet) as progress:
                result = run(
                    paths, settings, _project_root(paths, pyproject_path), write=not (diff or check or review),
                    jobs=jobs or os.cpu_count() or 1, progress=progress,
                    cache_dir=None if no_cache else (cache_dir or default_directory()),
                )
        except KeyboardInterrupt:
            # every file is either untouched or fully written (writes are atomic renames)
            typer.echo("nnx-migrate: interrupted; files already written are complete, the rest untouched", err=True)
            raise typer.Exit(130)
        finally:
            signal.signal(signal.SIGTERM, previous)
        if _KEPT_UNTIL_EXIT:
            _KEPT_UNTIL_EXIT.append(result)
    if review and not (diff or check):
        from nnx_migrate.review import review as run_review

        try:
            counts = run_review(result)
        except KeyboardInterrupt:
            typer.echo("\nnnx-migrate: interrupted; nothing written", err=True)
            raise typer.Exit(130)
        typer.echo(f"{counts['accepted']} hunk(s) accepted, {counts['rejected']} rejected; "
                   f"{counts['files']} file(s) written", err=True)
        raise typer.Exit(123 if result.failed or counts["failed"] else 0)
    if diff:
        print_diffs(result, color)
    # stdin's migrated text went to stdout: a machine-readable report goes to stderr, as ruff's
    report_to_stderr = from_stdin and not (diff or check)
    if output_format is OutputFormat.json:
        typer.echo(json_report(result, check=check, diff=diff, stdin=from_stdin), err=report_to_stderr)
    elif output_format is OutputFormat.github:
        typer.echo(github_annotations(result, check=check), err=report_to_stderr)
    elif output_format is OutputFormat.sarif:
        typer.echo(sarif_report(result), err=report_to_stderr)
    else:
        print_text_summary(result, check=check, diff=diff, quiet=quiet, verbose=verbose,
                           stdin=from_stdin)
    raise typer.Exit(exit_code(result, check, strict))


def _load_evidence(settings, pyproject_path: Path | None, from_flag: bool) -> None:
    """Resolve `evidence = "FILE"` against its pyproject.toml and check the file loads."""
    if not settings.evidence:
        return
    from nnx_migrate.evidence import EvidenceError, project_evidence

    if not from_flag and pyproject_path is not None:
        settings.evidence = str((pyproject_path.parent / settings.evidence).resolve())
    try:
        project_evidence(settings)
    except EvidenceError as error:
        raise ConfigError(str(error)) from error


class MatmulPrecision(str, Enum):
    highest = "highest"
    default = "default"


@app.command(
    "trace",
    context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True,
                      "help_option_names": ["-h", "--help"]},
    epilog="Exit status: the command's. Example: nnx-migrate trace -- python -m pytest tests/",
)
def trace(
    command: Annotated[list[str], typer.Argument(metavar="COMMAND", help="The command to run (after `--`), e.g. `python train.py`.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="FILE", help="Evidence file to write (default: .nnx-migrate-evidence.json at the project root); with --record-cases, a FILE ending in .npz is the cases file, the evidence going beside it.")] = None,
    python: Annotated[Optional[str], typer.Option("--python", metavar="PY", help="Interpreter to run COMMAND with, when COMMAND is a script or `-m module`.")] = None,
    record_cases: Annotated[bool, typer.Option("--record-cases", help="Also record the project's Module constructions and calls, for `verify --cases`.")] = False,
    cases: Annotated[Optional[Path], typer.Option("--cases", metavar="FILE", help="With --record-cases: the cases file (default: .nnx-migrate-cases.npz beside the evidence file).")] = None,
    matmul_precision: Annotated[MatmulPrecision, typer.Option("--matmul-precision", help="With --record-cases: jax_default_matmul_precision of the recorded run, as `verify` replays it; `default` keeps the program's own (TF32 on GPUs).")] = MatmulPrecision.highest,
) -> None:
    """Run COMMAND once with a recorder installed; write what it saw flax objects do, for `--evidence`."""
    from nnx_migrate.evidence import DEFAULT_FILE
    from nnx_migrate.trace import DEFAULT_CASES_FILE, TraceError, cases_lines, run_trace

    if record_cases and cases is None and output is not None and output.suffix == ".npz":
        cases, output = output, output.parent / DEFAULT_FILE  # `-o cases.npz`: the cases, evidence beside them
    target = output or _project_root([], find_pyproject([Path.cwd()])) / DEFAULT_FILE
    cases_target = (cases or target.parent / DEFAULT_CASES_FILE) if record_cases or cases else None
    try:
        result = run_trace(command, target, python=python, cases=cases_target, matmul_precision=matmul_precision.value)
    except TraceError as error:
        typer.echo(f"nnx-migrate trace: error: {error}", err=True)
        raise typer.Exit(2)
    flax = ", ".join(result.flax_versions) or "not imported"
    typer.echo(f"nnx-migrate trace: {result.sites} site(s) in {result.files} file(s) from {result.processes} "
               f"process(es) (flax {flax}) -> {result.output}", err=True)
    for path in result.changed_during_run:
        typer.echo(f"nnx-migrate trace: {path} changed during the run; its evidence was dropped", err=True)
    for line in cases_lines(result, cases_target):
        typer.echo(f"nnx-migrate trace: {line}", err=True)
    raise typer.Exit(result.returncode)


@app.command("rules")
def rules(name: Annotated[Optional[str], typer.Argument(help="Print this rule's documentation.")] = None) -> None:
    """List the rules, or print one rule's documentation."""
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.table import Table

    from nnx_migrate.registry import RULES, rule_by_name

    console = Console(emoji=False)
    if name is not None:
        rule = rule_by_name(name)
        if rule is None:
            typer.echo(f"nnx-migrate: error: unknown rule {name!r}; known: {', '.join(RULE_NAMES)}", err=True)
            raise typer.Exit(2)
        from nnx_migrate.ruledocs import render

        if console.is_terminal:
            console.print(Markdown(render(rule)))
        else:
            typer.echo(render(rule), nl=False)
        return
    if not console.is_terminal:  # piped: whole lines, never cut to a guessed width
        name_width = max(len(rule.name) for rule in RULES)
        needed_width = max(len(rule.needed_from) for rule in RULES)
        for rule in RULES:
            typer.echo(f"{rule.name:<{name_width}}  {rule.needed_from:<{needed_width}}  {rule.summary} (fix: {rule.safety})")
        return
    table = Table(box=None)
    table.add_column("rule", no_wrap=True, min_width=max(len(rule.name) for rule in RULES))
    table.add_column("needed from flax", no_wrap=True)
    table.add_column("fix", overflow="fold")
    table.add_column("what it does", overflow="fold")
    for rule in RULES:
        table.add_row(rule.name, rule.needed_from, rule.safety, rule.summary)
    console.print(table)


@app.command("explain")
def explain(
    location: Annotated[str, typer.Argument(metavar="PATH:LINE[:COL]", help="The line (and column) to explain.", show_default=False)],
    project: Annotated[Optional[Path], typer.Option("--project", metavar="DIR", help="The tree a migration is given (default: the nearest folder above PATH with .git or pyproject.toml).")] = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", metavar="RULE", help="Only these rules (comma-separated or repeated).")] = None,
    evidence: Annotated[Optional[Path], typer.Option("--evidence", metavar="FILE", help="Evidence from `nnx-migrate trace`, as the migration would use it.")] = None,
) -> None:
    """For each `.value`, `iter_*`, container or constructor site on a line: the type of each part, and why."""
    from nnx_migrate.explain import explain_location, parse_location

    try:
        path, _ = parse_location(location)
        pyproject = find_pyproject([project or Path(path)])  # the settings the migration of that tree uses
        settings = build_settings(load_pyproject(pyproject) if pyproject else {}, select=select, ignore=None,
                                  target_version=None, unsafe_fixes=None, exclude=None, known_rules=RULE_NAMES,
                                  include_docs=None, evidence=str(evidence.resolve()) if evidence else None)
    except (ConfigError, ValueError) as error:
        typer.echo(f"nnx-migrate: error: {error}", err=True)
        raise typer.Exit(2)
    lines, status = explain_location(location, project, settings)
    typer.echo("\n".join(lines), err=status != 0)
    raise typer.Exit(status)


class Device(str, Enum):
    cpu = "cpu"
    gpu = "gpu"
    tpu = "tpu"


@app.command(
    "verify",
    epilog="Exit status: 0 every case matches; 1 a mismatch (also when other cases could not run); "
    "2 usage error; 3 no mismatch, but some case could not run (listed).",
)
def verify(
    migrated: Annotated[Path, typer.Argument(help="The migrated file, package folder or repository.")],
    original: Annotated[Optional[str], typer.Option("--original", help="The original: a file, a folder, or git:REV.")] = None,
    spec: Annotated[Optional[Path], typer.Option("--spec", help="A Python file with `case_<name>()` -> (module, inputs).")] = None,
    auto: Annotated[bool, typer.Option("--auto", help="With --spec, also build the changed Module classes automatically.")] = False,
    baseline_python: Annotated[Optional[str], typer.Option("--baseline-python", help="Interpreter that runs the original.")] = None,
    baseline: Annotated[Optional[str], typer.Option("--baseline", help='Create (once, cached) an environment like "flax==0.11.2" for the original (with --device gpu: the CUDA jax).')] = None,
    baseline_requirement: Annotated[Optional[list[str]], typer.Option("--baseline-requirement", help="Extra requirement for that environment (repeatable), e.g. optax.")] = None,
    rtol: Annotated[Optional[float], typer.Option("--rtol", help="Across environments: allowed error relative to each array's largest value (default 1e-4).")] = None,
    atol: Annotated[Optional[float], typer.Option("--atol", help="Across environments: allowed absolute error (default 1e-7).")] = None,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Also write the report as JSON here.")] = None,
    device: Annotated[Optional[Device], typer.Option("--device", help="Run both sides on this kind of device (default: JAX's).")] = None,
    matmul_precision: Annotated[MatmulPrecision, typer.Option("--matmul-precision", help="jax_default_matmul_precision on both sides; `default` lets GPUs use TF32.")] = MatmulPrecision.highest,
    record: Annotated[Optional[Path], typer.Option("--record", help="Run only the original and store its results here, for --against on another machine.")] = None,
    against: Annotated[Optional[Path], typer.Option("--against", help="Run only the migrated side and compare with a file from --record.")] = None,
    allow_deprecations: Annotated[bool, typer.Option("--allow-deprecations", help="Do not fail on flax DeprecationWarnings of the migrated side.")] = False,
    cases: Annotated[Optional[Path], typer.Option("--cases", metavar="FILE", help="Also replay the constructions and calls `trace --record-cases` recorded (no old environment needed).")] = None,
) -> None:
    """Run original and migrated modules and check they compute the same numbers."""
    from nnx_migrate.verify.compare import DEFAULT_ATOL, DEFAULT_RTOL
    from nnx_migrate.verify.driver import Recorded, VerifyError, check_device, check_output_target
    from nnx_migrate.verify.driver import verify as run_verify
    from nnx_migrate.verify.envs import BaselineError
    from nnx_migrate.verify.envs import baseline_python as make_baseline
    from nnx_migrate.verify.render import print_outcome, print_recorded, to_json

    try:
        conflicts = [("--baseline-python", baseline_python, "--baseline", baseline), ("--record", record, "--against", against),
                     ("--against", against, "--baseline", baseline or baseline_python), ("--against", against, "--original", original),
                     ("--record", record, "--cases", cases)]
        for first, one, second, other in conflicts:
            if one and other:
                raise VerifyError(f"give {first} or {second}, not both")
        if original is None and against is None and cases is None:
            raise VerifyError("give --original (or --against FILE from `verify --record`, or --cases FILE from `trace --record-cases`)")
        if json_path is not None:
            check_output_target(json_path, "--json")
        if baseline:
            if device:
                check_device(device.value, sys.executable)  # before minutes spent on an environment
            name, _, version = baseline.partition("==")
            if name.strip() != "flax" or not version:
                raise VerifyError(f'--baseline takes "flax==VERSION", not {baseline!r}')
            baseline_python = str(make_baseline(version.strip(), tuple(baseline_requirement or ()),
                                                device=device.value if device else None))
        outcome = run_verify(
            migrated, original, spec=spec, auto=auto, baseline_python=baseline_python,
            rtol=DEFAULT_RTOL if rtol is None else rtol, atol=DEFAULT_ATOL if atol is None else atol,
            device=device.value if device else None, allow_deprecations=allow_deprecations,
            matmul_precision=matmul_precision.value, record=record, against=against, cases=cases,
        )
    except (VerifyError, BaselineError) as error:
        typer.echo(f"nnx-migrate verify: error: {error}", err=True)
        raise typer.Exit(2)
    if isinstance(outcome, Recorded):
        print_recorded(outcome)
    else:
        print_outcome(outcome)
        if json_path is not None:
            json_path.write_text(to_json(outcome))
    raise typer.Exit(outcome.exit_code())


def _command():
    """The click command behind `app`, its flags shown without a type (typer 0.29's rich
    help writes `<bool>` after every flag)."""
    root = typer.main.get_command(app)
    for command in (root, *getattr(root, "commands", {}).values()):
        context = command.make_context("nnx-migrate", [], resilient_parsing=True)
        for parameter in (*command.params, command.get_help_option(context)):
            if getattr(parameter, "is_flag", False):
                parameter.metavar = ""
    return root


def main(argv: list[str] | None = None) -> None:
    """Entry point: a first word that is not a subcommand means `migrate`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in SUBCOMMANDS and args[0] not in ("-h", "--help", "--version"):
        args.insert(0, "migrate")
    _command()(args=args, prog_name="nnx-migrate")


# What the console script keeps alive until the process ends (see `process_main`).
_KEPT_UNTIL_EXIT: list = []


def process_main() -> None:
    """The console script and `python -m nnx_migrate`: `main`, then the process ends at
    once, its output flushed. A cold run holds millions of syntax-tree objects; freeing
    them one by one took longer than some of the analysis (mypy ends the same way)."""
    _KEPT_UNTIL_EXIT.append(True)  # `migrate` keeps its result here instead of freeing it
    try:
        main()
    except SystemExit as exit:
        if isinstance(exit.code, int) or exit.code is None:
            code = exit.code or 0
        else:  # as Python itself does with `sys.exit("message")`
            print(exit.code, file=sys.stderr)
            code = 1
    except KeyboardInterrupt:  # before a command took over Ctrl-C: nothing was written
        print("nnx-migrate: interrupted", file=sys.stderr)
        code = 130
    else:
        code = 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)
