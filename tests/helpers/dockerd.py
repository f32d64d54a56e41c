"""A second, private Docker engine for tests that kill, restart or wedge an engine.

``SecondEngine.start(images)`` runs ``dockerd`` beside the shared one with everything of its
own: ``--data-root``, ``--exec-root``, ``--pidfile``, a unix socket (``-H unix://...``), a
cgroup parent, and its OWN bridge made with ``ip link add name plbNNNN type bridge``
(``--bridge=plbNNNN --iptables=false --ip-masq=false``). Never ``--bridge=none``: a daemon
with the bridge disabled deletes the host's ``docker0`` at start, and the shared engine then
fails every container on its default network (../shared/notes/scale-reliability.md). The
images are copied in with ``docker save | docker -H ... load`` (about 5 s for the 250 MB
base image here); the daemon itself answers in well under a second.

``stop()`` takes down what it started, by pid and by path, never by name: the containers'
processes (from the cgroup parent), the containerd shims of its exec root, the daemon, its
mounts, its folders, its bridge. The pool tests of issue 14 reuse this (a TLS variant adds
``--tlsverify`` and a ``tcp://127.0.0.1:PORT`` host).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

START_TIMEOUT_S = 30.0
LOAD_TIMEOUT_S = 180.0


class EngineUnavailable(Exception):
    """The second engine cannot run here; the message says why (tests skip with it)."""


def why_not() -> str | None:
    """Why a second dockerd cannot start on this machine, or None."""
    if os.geteuid() != 0:
        return "a second dockerd needs root"
    for tool in ("dockerd", "docker", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@dataclass
class SecondEngine:
    root: Path
    bridge: str
    process: subprocess.Popen[bytes] | None = None
    clients: list[Any] = field(default_factory=list)

    @property
    def socket(self) -> Path:
        return self.root / "d.sock"

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def cgroup_parent(self) -> str:
        return self.root.name

    @classmethod
    def start(cls, images: list[str]) -> SecondEngine:
        problem = why_not()
        if problem:
            raise EngineUnavailable(problem)
        tag = uuid.uuid4().hex[:6]
        engine = cls(Path(tempfile.mkdtemp(prefix=f"pld-{tag}-", dir="/tmp")), f"plb{tag}")
        try:
            _run(["ip", "link", "add", "name", engine.bridge, "type", "bridge"])
            _run(["ip", "link", "set", engine.bridge, "up"])
            engine.launch()
            for image in images:
                engine.load(image)
        except BaseException:
            engine.stop()
            raise
        return engine

    def launch(self) -> None:
        """Start (or start again) the daemon on the same folders; return once it answers."""
        stale = self.root / "exec" / "containerd"  # a killed containerd's sockets and pid file
        for leftover in [*stale.glob("*.sock*"), stale / "containerd.pid"]:
            leftover.unlink(missing_ok=True)
        log = open(self.root / "dockerd.log", "ab")  # noqa: SIM115 - the daemon keeps writing to it
        argv = ["dockerd", "--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec")]
        argv += ["--pidfile", str(self.root / "dockerd.pid"), "-H", self.host, f"--bridge={self.bridge}"]
        argv += ["--iptables=false", "--ip-masq=false", "--ip-forward=false", "--userland-proxy=false"]
        argv += [f"--cgroup-parent={self.cgroup_parent}", "--log-level=warn"]
        self.process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EngineUnavailable(f"dockerd exited with {self.process.returncode}: {self.log_tail()}")
            if _run(["docker", "-H", self.host, "version"], check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise EngineUnavailable(f"dockerd did not answer within {START_TIMEOUT_S:.0f} s: {self.log_tail()}")

    def load(self, image: str) -> None:
        saver = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
        try:
            done = subprocess.run(
                ["docker", "-H", self.host, "load", "-q"],
                stdin=saver.stdout,
                capture_output=True,
                timeout=LOAD_TIMEOUT_S,
            )
        finally:
            if saver.stdout is not None:
                saver.stdout.close()
            saver.wait(timeout=LOAD_TIMEOUT_S)
        if done.returncode != 0 or saver.returncode != 0:
            raise EngineUnavailable(f"could not copy {image} into the second engine: {done.stderr.decode()[-300:]}")

    def client(self, timeout: float = 30.0) -> Any:
        import docker

        made = docker.DockerClient(base_url=self.host, timeout=timeout)
        self.clients.append(made)
        return made

    def kill(self) -> None:
        """SIGKILL the daemon and its containerd (the shims and containers stay, as after
        a crash of the engine)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        for pid in _pids_with(str(self.root / "exec" / "containerd")):
            if _comm(pid) == "containerd":
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(
            _comm(pid) == "containerd" for pid in _pids_with(str(self.root / "exec" / "containerd"))
        ):
            time.sleep(0.05)

    def pause_containerd(self, sig: int) -> None:
        """SIGSTOP/SIGCONT the daemon's containerd: the engine answers, but cannot act."""
        for pid in _pids_with(str(self.root / "exec" / "containerd")):
            if _comm(pid) == "containerd":
                os.kill(pid, sig)

    def log_tail(self) -> str:
        try:
            return (self.root / "dockerd.log").read_text(errors="replace")[-500:]
        except OSError:
            return ""

    def stop(self) -> None:
        for made in self.clients:
            made.close()
        self.pause_containerd(signal.SIGCONT)
        self.kill()
        for pid in _cgroup_pids(self.cgroup_parent) + _pids_with(str(self.root)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
        time.sleep(0.2)
        for mount in sorted(_mounts_under(self.root), reverse=True):
            _run(["umount", "-l", mount], check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        _run(["ip", "link", "del", self.bridge], check=False)
        _remove_cgroups(self.cgroup_parent)


def _run(argv: list[str], check: bool = True) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(argv, capture_output=True, timeout=60)
    if check and done.returncode != 0:
        raise EngineUnavailable(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace').strip()}")
    return done


def _pids_with(needle: str) -> list[int]:
    """Pids whose command line holds ``needle`` (a path only this engine uses)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in cmdline and int(name) != os.getpid():
            found.append(int(name))
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _cgroup_pids(parent: str) -> list[int]:
    pids: set[int] = set()
    for procs in Path("/sys/fs/cgroup").glob(f"*/{parent}/**/cgroup.procs"):
        try:
            pids.update(int(line) for line in procs.read_text().split())
        except (OSError, ValueError):
            continue
    return sorted(pids)


def _remove_cgroups(parent: str) -> None:
    for top in Path("/sys/fs/cgroup").glob(f"*/{parent}"):
        for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            try:
                folder.rmdir()
            except OSError:
                continue
        try:
            top.rmdir()
        except OSError:
            continue


def _mounts_under(root: Path) -> list[str]:
    mounts = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        parts = line.split()
        if len(parts) > 1 and parts[1].startswith(str(root)):
            mounts.append(parts[1])
    return mounts
