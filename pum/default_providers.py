"""The default providers the engine registers for a program, made offline the same way.

A custom resource or an invoke that names no provider gets its package's default provider
(pkg/resource/deploy/default_providers.go): the engine registers `pulumi:providers:<package>`,
named `default_<major>_<minor>_<patch>` for the version the SDK asks for (providers.DefaultName),
with the stack config of that package as inputs (Target.GetPackageConfig: the values as strings
under their key names, secure ones as secrets; a dynamic provider gets every key, namespace and
all) and `version`. The engine analyses it like any resource, and it is the provider analyzers see
on every resource that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .wire import SECRET_SIG, SIG_KEY

_DYNAMIC_PACKAGES = {"pulumi-nodejs", "pulumi-python"}  # Target.isDynamicProvider
_SEMVER = re.compile(r"v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?")
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def package_of(token: str) -> str:
    """The package of a resource type or invoke token (`azuread:index/group:Group` -> `azuread`)."""
    return token.split(":", 1)[0]


def _qname(text: str) -> str:
    """tokens.IntoQName: each '/'-separated segment with characters a name cannot hold replaced by '_'."""
    return "/".join(_NOT_IN_NAME.sub("_", segment) for segment in text.split("/") if segment) or "_"


def default_name(version: str, download_url: str) -> str:
    """providers.ProviderRequest.DefaultName: 'default', the version's parts, then the download URL's."""
    name = "default"
    match = _SEMVER.fullmatch(version) if version else None
    if match:
        major, minor, patch, pre, build = match.groups()
        name += f"_{int(major)}_{int(minor)}_{int(patch)}"
        name += "".join(f"_{part}" for part in (pre.split(".") if pre else []))
        name += "".join(f"_{part}" for part in (build.split(".") if build else []))
    if download_url:
        name += "_" + _qname(download_url)
    return name


def default_inputs(package: str, version: str, config: Mapping[str, str], secret_keys) -> dict:
    """The default provider's inputs in wire form: the package's config, secure values as secrets, and the version."""
    inputs: dict = {}
    for key, value in config.items():
        namespace, _, name = key.partition(":")
        if package in _DYNAMIC_PACKAGES:
            name = key
        elif namespace != package:
            continue
        inputs[name] = {SIG_KEY: SECRET_SIG, "value": value} if key in secret_keys else value
    if version and _SEMVER.fullmatch(version):
        inputs["version"] = version.removeprefix("v")  # semver.Version.String()
    return inputs
