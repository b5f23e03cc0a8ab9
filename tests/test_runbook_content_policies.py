"""automation-runbook-content-pinned and automation-runbook-quiet-streams against plain-provider programs, through
the offline preview. Any runbook of the account can run on the domain's Hybrid Runbook Workers (a job's runOn), as
Local System on a domain server, so its content must be pinned in the plan: published by RunbookContent
(components/runbook_content.py) or from a content link with a SHA256 contentHash whose URI is a blob this stack
uploads. The red team's auto_runbook_external_link class: an external URL, no hash, a literal URI, a forged or
mismatched content resource, a decoy dependency, every shape a runbook can be declared in, unknown-at-preview
values."""

import hashlib

import pulumi
import pytest
from pulumi_azure_native import automation, resources, storage

from components.runbook_content import RunbookContent
from pum.engine import run_preview
from tests.pack_cases import later

PINNED = "automation-runbook-content-pinned"
QUIET = "automation-runbook-quiet-streams"
IN_ACCOUNT = {"resource_group_name": "rg-aa", "automation_account_name": "aa-test"}
SCRIPT = "param([string]$SamAccountName)\nWrite-Output 'ok'\n"
SHA = hashlib.sha256(SCRIPT.encode()).hexdigest().upper()
EXTERNAL = "https://raw.githubusercontent.com/someone/x/main/run.ps1"


def found(program, policy=PINNED, level="mandatory"):
    return [
        v.message
        for v in run_preview(program, policy_packs=None).violations
        if v.policy == policy and v.enforcement_level == level
    ]


def runbook(name="rb", **extra):
    return automation.Runbook(
        name,
        runbook_name="Add-GroupMember",
        runbook_type="PowerShell72",
        log_progress=False,
        log_verbose=False,
        **IN_ACCOUNT,
        **extra,
    )


def blob(name="rb-blob"):
    return storage.Blob(
        name,
        account_name="stpam",
        container_name="runbooks",
        resource_group_name="rg-aa",
        source=pulumi.StringAsset(SCRIPT),
    )


def pin(algorithm="SHA256", value=SHA):
    return {"algorithm": algorithm, "value": value}


class Raw(pulumi.dynamic.Resource):
    """A dynamic resource of RunbookContent's shape with whatever props a program gives it."""

    def __init__(self, name, props):
        class _NoOp(pulumi.dynamic.ResourceProvider):
            def create(self, inputs):
                return pulumi.dynamic.CreateResult("id", inputs)

        super().__init__(_NoOp(), name, props)


class Forged(pulumi.CustomResource):
    def __init__(self, token, name, props):
        super().__init__(token, name, props)


# --- compliant ---------------------------------------------------------------------------------------------------


def test_a_runbook_published_by_runbook_content_passes():
    def program():
        rb = runbook()
        RunbookContent("rb-content", runbook_id=rb.id, content=SCRIPT)

    assert found(program) == []


def test_a_runbook_published_from_a_blob_of_the_stack_with_a_sha256_hash_passes():
    def program():
        b = blob()
        runbook(publish_content_link={"uri": b.url, "content_hash": pin()})

    assert found(program) == []


def test_a_draft_link_from_a_blob_with_a_hash_next_to_runbook_content_passes():
    def program():
        b = blob()
        rb = runbook(draft={"draft_content_link": {"uri": b.url, "content_hash": pin("sha256", SHA.lower())}})
        RunbookContent("rb-content", runbook_id=rb.id, content=SCRIPT)

    assert found(program) == []


# --- content that is not pinned ----------------------------------------------------------------------------------


def test_a_runbook_with_no_content_source_fails():
    [message] = found(lambda: runbook())
    assert "not pinned" in message


@pytest.mark.parametrize(
    "link, named",
    [
        ({"uri": EXTERNAL}, "no contentHash"),  # the red team's probe
        ({"uri": EXTERNAL, "content_hash": pin()}, "literal address outside the stack"),
        ({"uri": EXTERNAL, "content_hash": pin("MD5", "0" * 32)}, "not SHA256"),
        ({"uri": EXTERNAL, "content_hash": {"algorithm": "SHA256"}}, "not a SHA-256"),
    ],
)
def test_an_external_or_unhashed_publish_link_fails(link, named):
    messages = found(lambda: runbook(publish_content_link=link))
    assert any(named in m for m in messages), messages


def test_a_blob_link_without_a_hash_fails():
    def program():
        b = blob()
        runbook(publish_content_link={"uri": b.url})

    [message] = found(program)
    assert "no contentHash" in message


def test_an_unpinned_draft_link_fails_even_next_to_runbook_content():
    def program():
        rb = runbook(draft={"draft_content_link": {"uri": EXTERNAL}})
        RunbookContent("rb-content", runbook_id=rb.id, content=SCRIPT)

    messages = found(program)
    assert any("draftContentLink has no contentHash" in m for m in messages)


def test_a_content_resource_whose_hash_is_not_its_contents_fails():
    def program():
        rb = runbook()
        Raw("rb-content", {"runbookId": rb.id, "content": SCRIPT, "contentHash": "0" * 64})

    [message] = found(program)
    assert "not the SHA-256 of its content" in message


def test_a_content_resource_for_two_runbooks_pins_neither():
    def program():
        one, two = runbook("one"), runbook("two")
        runbook_id = pulumi.Output.all(one.id, two.id).apply(lambda ids: ids[0])
        RunbookContent("rb-content", runbook_id=runbook_id, content=SCRIPT)

    assert len([m for m in found(program) if "not pinned" in m]) == 2


def test_a_content_resource_of_another_runbook_does_not_pin_this_one():
    def program():
        other = runbook("other")
        runbook("rb")
        RunbookContent("rb-content", runbook_id=other.id, content=SCRIPT)

    [message] = found(program)
    assert "Runbook 'rb'" in message and "not pinned" in message


# --- unknown at preview ------------------------------------------------------------------------------------------


def test_a_link_whose_uri_is_computed_from_something_else_than_a_blob_is_unverified():
    def program():
        rg = resources.ResourceGroup("rg")
        runbook(publish_content_link={"uri": later(rg.name, EXTERNAL), "content_hash": pin()})

    [message] = found(program)
    assert "unknown at preview" in message and "uri" in message


def test_a_decoy_blob_dependency_next_to_another_resource_is_unverified():
    def program():
        b, rg = blob(), resources.ResourceGroup("rg")
        uri = pulumi.Output.all(b.url, rg.name).apply(lambda _: EXTERNAL)
        runbook(publish_content_link={"uri": uri, "content_hash": pin()})

    [message] = found(program)
    assert "unknown at preview" in message


@pytest.mark.parametrize("unknown", ["link", "algorithm", "value"])
def test_a_link_or_hash_unknown_at_preview_is_unverified(unknown):
    def program():
        rg = resources.ResourceGroup("rg")
        b = blob()
        content_hash = pin()
        if unknown in ("algorithm", "value"):
            content_hash[unknown] = later(rg.name, content_hash[unknown])
        link = {"uri": b.url, "content_hash": content_hash}
        runbook(publish_content_link=later(rg.name, link) if unknown == "link" else link)

    messages = found(program)
    assert messages and all("unknown at preview" in m for m in messages)


def test_runbook_content_whose_text_is_unknown_is_unverified():
    def program():
        rg = resources.ResourceGroup("rg")
        rb = runbook()
        Raw("rb-content", {"runbookId": rb.id, "content": later(rg.name, SCRIPT), "contentHash": SHA})

    [message] = found(program)
    assert "unknown at preview" in message


# --- other shapes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token", ["azure-native:automation/v20231101:Runbook", "azure-native:automation/v20151031:Runbook"]
)
def test_a_versioned_runbook_token_is_judged(token):
    def program():
        Forged(token, "rb", {**{"resourceGroupName": "rg-aa"}, "publishContentLink": {"uri": EXTERNAL}})

    assert found(program)


def test_a_generic_runbook_resource_is_judged():
    def program(link):
        def declare():
            b = blob()
            resources.Resource(
                "rb",
                resource_group_name="rg-aa",
                resource_provider_namespace="Microsoft.Automation",
                parent_resource_path="automationAccounts/aa-test",
                resource_type="runbooks",
                api_version="2023-11-01",
                properties={"runbookType": "PowerShell", "publishContentLink": link(b)},
            )

        return declare

    assert found(program(lambda b: {"uri": EXTERNAL}))
    assert found(program(lambda b: {"uri": b.url, "contentHash": pin()})) == []


@pytest.mark.parametrize(
    "link, named",
    [
        ({"uri": EXTERNAL}, "no contentHash"),
        ({"uri": EXTERNAL, "contentHash": pin()}, "outside the stack"),
        ({"uri": "[parameters('uri')]", "contentHash": pin()}, "unknown at preview"),
        (None, "not pinned"),
    ],
)
def test_a_runbook_in_a_deployment_template_is_judged(link, named):
    def program():
        body = {"runbookType": "PowerShell", **({"publishContentLink": link} if link else {})}
        resources.Deployment(
            "dep",
            resource_group_name="rg-aa",
            properties={
                "mode": "Incremental",
                "template": {
                    "resources": [
                        {
                            "type": "Microsoft.Automation/automationAccounts/runbooks",
                            "name": "aa-test/Add-GroupMember",
                            "properties": body,
                        }
                    ]
                },
            },
        )

    messages = found(program)
    assert any(named in m for m in messages), messages


def test_the_classic_provider_runbook_inline_content_passes_and_an_unhashed_link_fails():
    token = "azure:automation/runBook:RunBook"

    def inline():
        Forged(token, "rb", {"runbookType": "PowerShell", "content": SCRIPT})

    def linked():
        Forged(token, "rb", {"runbookType": "PowerShell", "publishContentLink": {"uri": EXTERNAL}})

    def hashed_blob():
        b = blob()
        Forged(token, "rb", {"publishContentLink": {"uri": b.url, "hash": pin()}})

    assert found(inline) == []
    assert any("no hash" in m for m in found(linked))
    assert found(hashed_blob) == []


# --- the component -----------------------------------------------------------------------------------------------


def test_the_on_premises_components_runbooks_pass_and_keep_quiet_streams():
    from tests.test_on_premises_component import on_premises

    report = run_preview(lambda: on_premises(), policy_packs=None)
    names = {"automation-no-credential-assets", PINNED, QUIET}
    assert [v for v in report.violations if v.policy in names] == []


# --- quiet streams (advisory) ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, named",
    [({"log_verbose": True}, "logVerbose"), ({"log_activity_trace": 1}, "logActivityTrace")],
)
def test_a_verbose_stream_or_activity_trace_is_advisory(extra, named):
    def program():
        rb = automation.Runbook("rb", runbook_type="PowerShell", **IN_ACCOUNT, **extra)
        RunbookContent("rb-content", runbook_id=rb.id, content=SCRIPT)

    [message] = found(program, QUIET, "advisory")
    assert named in message
    assert found(program) == []  # the content is pinned: nothing mandatory


def test_quiet_streams_pass_and_unknown_ones_are_unverified():
    def quiet():
        runbook()

    def unknown():
        rg = resources.ResourceGroup("rg")
        automation.Runbook("rb", runbook_type="PowerShell", log_verbose=later(rg.name, False), **IN_ACCOUNT)

    assert found(quiet, QUIET, "advisory") == []
    [message] = found(unknown, QUIET, "advisory")
    assert "unknown at preview" in message


# --- source control publishes runbooks from outside the plan -------------------------------------------------------


@pytest.mark.parametrize("shape", ["native", "classic", "template"])
def test_source_control_fails_in_every_shape(shape):
    def program():
        if shape == "native":
            automation.SourceControl(
                "sc",
                source_control_name="runbooks",
                repo_url="https://github.com/someone/runbooks.git",
                branch="main",
                folder_path="/",
                auto_sync=True,
                publish_runbook=True,
                source_type="GitHub",
                **IN_ACCOUNT,
            )
        elif shape == "classic":
            Forged(
                "azure:automation/sourceControl:SourceControl", "sc", {"repositoryUrl": "https://x", "branch": "main"}
            )
        else:
            resources.Deployment(
                "dep",
                resource_group_name="rg-aa",
                properties={
                    "mode": "Incremental",
                    "template": {
                        "resources": [
                            {
                                "type": "Microsoft.Automation/automationAccounts/sourceControls",
                                "name": "aa-test/runbooks",
                                "properties": {"repoUrl": "https://x", "branch": "main", "publishRunbook": True},
                            }
                        ]
                    },
                },
            )

    [message] = found(program)
    assert "source control" in message


def test_one_runbook_content_computed_from_a_deployment_of_two_runbooks_pins_neither():
    def program(count):
        def declare():
            items = [
                {
                    "type": "Microsoft.Automation/automationAccounts/runbooks",
                    "name": f"aa-test/rb{i}",
                    "properties": {"runbookType": "PowerShell"},
                }
                for i in range(count)
            ]
            dep = resources.Deployment(
                "dep", resource_group_name="rg-aa", properties={"mode": "Incremental", "template": {"resources": items}}
            )
            RunbookContent("rb-content", runbook_id=dep.id.apply(lambda i: f"{i}/rb0"), content=SCRIPT)

        return declare

    assert found(program(1)) == []
    assert len([m for m in found(program(2)) if "not pinned" in m]) == 2
