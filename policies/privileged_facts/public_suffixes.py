"""Which DNS names are public suffixes: names under which anyone can register, so a Private Access DNS suffix (or
FQDN) equal to one reaches the world, not a company's hosts.

The Public Suffix List (https://publicsuffix.org, ~10 000 rules, updated weekly) is the authority, but the pack must
stay small and standalone (only pulumi-policy installed), and a vendored copy goes stale silently. What a catch-all
Private Access segment needs is narrower, so this module holds a compact rule set instead, fail-closed:

- every single-label name is a top-level domain (`com`, `uk`, `corp`): callers treat any bare label as public;
- a second level under a two-letter country-code TLD that registries use as a public registration space
  (`co.uk`, `com.au`, `org.nz`, `ac.jp`, `gov.in`, `com.br`, ...): `CCTLD_SECOND_LEVELS`, any ccTLD;
- every two-label name under the ccTLDs where the PSL has a wildcard rule (`*.ck`, `*.bd`, ...);
- shared platform suffixes from the PSL's private section (and the like) where every tenant gets a sub-domain
  (`azurewebsites.net`, `github.io`, `onmicrosoft.com`, ...), and the reverse-DNS and home-network zones: `SHARED`.

It can only err towards calling a name public (no real company's internal suffix is `co.<cc>`); a name it misses is
a longer registry-controlled one (`kyoto.jp`, `pvt.k12.ma.us`), which the address and port coverage rules do not
depend on.
"""

from __future__ import annotations

CCTLD_SECOND_LEVELS = frozenset(
    {
        "ac",
        "biz",
        "co",
        "com",
        "edu",
        "gen",
        "go",
        "gob",
        "gov",
        "govt",
        "info",
        "int",
        "ltd",
        "mil",
        "ne",
        "net",
        "nic",
        "nom",
        "or",
        "org",
        "plc",
        "sch",
    }
)
WILDCARD_CCTLDS = frozenset({"bd", "ck", "er", "fk", "jm", "kh", "mm", "np", "pg"})
SHARED = frozenset(
    {
        # reverse DNS and special-use zones
        "in-addr.arpa",
        "ip6.arpa",
        "home.arpa",
        # Microsoft
        "onmicrosoft.com",
        "sharepoint.com",
        "azurewebsites.net",
        "cloudapp.net",
        "cloudapp.azure.com",
        "azure-api.net",
        "azurefd.net",
        "azureedge.net",
        "azurecontainer.io",
        "azurestaticapps.net",
        "trafficmanager.net",
        "windows.net",
        "core.windows.net",
        "blob.core.windows.net",
        "file.core.windows.net",
        "web.core.windows.net",
        "database.windows.net",
        "servicebus.windows.net",
        "vault.azure.net",
        # other clouds and hosting platforms
        "amazonaws.com",
        "s3.amazonaws.com",
        "elasticbeanstalk.com",
        "cloudfront.net",
        "appspot.com",
        "run.app",
        "web.app",
        "firebaseapp.com",
        "github.io",
        "githubusercontent.com",
        "gitlab.io",
        "herokuapp.com",
        "netlify.app",
        "vercel.app",
        "pages.dev",
        "workers.dev",
        "blogspot.com",
        "ngrok.io",
        "ngrok-free.app",
    }
)


def is_public_suffix(name: str) -> bool:
    """`name` (lower case, no leading or trailing dot) is a public suffix by the rules above."""
    labels = name.split(".")
    if len(labels) == 1:
        return True
    if name in SHARED:
        return True
    if len(labels) == 2 and len(labels[1]) == 2 and labels[1].isalpha():
        return labels[0] in CCTLD_SECOND_LEVELS or labels[1] in WILDCARD_CCTLDS
    return False
