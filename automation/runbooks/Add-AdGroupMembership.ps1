<#
.SYNOPSIS
    Adds an on-premises admin account to an AD group for a limited time (default: Account Operators, 2 hours).

.DESCRIPTION
    Started by the journey automation when an access package assignment is granted, on the Hybrid Runbook Worker
    group of the domain. Where the forest has the Privileged Access Management optional feature enabled, the
    membership is temporal (Add-ADGroupMember -MemberTimeToLive): AD itself removes it when the time is up. Where
    it is not, the membership is added and its end is recorded in the account's extensionAttribute15
    ("pum-expiry|<group>=<UTC ISO 8601>|..."; one entry per group), which Remove-ExpiredMembership (hourly)
    enforces. The package's "removed" stage also calls Remove-AdGroupMembership, so access ends on whichever comes
    first. Only the groups in the ManagedGroups variable (the stack's onPremises.managedGroups) are accepted, and
    only for accounts in the admin OU (AdminAccountsOu): a job started with anyone else's account is refused.

    The runbook writes with the runbook service account, whose credential it reads from Key Vault through the
    vault's private endpoint; nothing secret is written to any stream.
#>
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9._-]{1,20}$')][string] $SamAccountName,
    [ValidatePattern('^[A-Za-z0-9 ._-]{1,64}$')][string] $GroupName = 'Account Operators',
    [ValidateRange(30, 480)][int] $DurationMinutes = 120
)
$ErrorActionPreference = 'Stop'
$VerbosePreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'

Import-Module ActiveDirectory
$null = Connect-AzAccount -Identity
$vault = Get-AutomationVariable -Name 'KeyVaultName'
$domain = Get-AutomationVariable -Name 'DomainFqdn'
if ($GroupName -notin @(Get-AutomationVariable -Name 'ManagedGroups')) {
    throw "'$GroupName' is not one of the groups this automation manages (ManagedGroups)."
}
$account = Get-AzKeyVaultSecret -VaultName $vault -Name 'ad-runbook-account'
$credential = [pscredential]::new($account.Tags['userName'], $account.SecretValue)

$ou = Get-AutomationVariable -Name 'AdminAccountsOu'
$target = Get-ADUser -Server $domain -Credential $credential -Identity $SamAccountName
if ($target.DistinguishedName -notlike "*,$ou") {
    throw "$SamAccountName is outside $ou; only the admin accounts this automation manages are granted groups."
}
$ttl = New-TimeSpan -Minutes $DurationMinutes
$pam = Get-ADOptionalFeature -Server $domain -Credential $credential -Filter "Name -eq 'Privileged Access Management Feature'"
if ($pam -and $pam.EnabledScopes.Count -gt 0) {
    Add-ADGroupMember -Server $domain -Credential $credential -Identity $GroupName -Members $SamAccountName -MemberTimeToLive $ttl
    Write-Output "Added $SamAccountName to '$GroupName' for $DurationMinutes minutes (temporal membership)."
}
else {
    $until = (Get-Date).ToUniversalTime().Add($ttl).ToString('o')
    Add-ADGroupMember -Server $domain -Credential $credential -Identity $GroupName -Members $SamAccountName
    $user = Get-ADUser -Server $domain -Credential $credential -Identity $SamAccountName -Properties extensionAttribute15
    $entries = @("$($user.extensionAttribute15)".Split('|') | Where-Object { $_ -and $_ -ne 'pum-expiry' -and -not $_.StartsWith("$GroupName=") })
    $marker = (@('pum-expiry') + $entries + "$GroupName=$until") -join '|'
    Set-ADUser -Server $domain -Credential $credential -Identity $SamAccountName -Replace @{ extensionAttribute15 = $marker }
    Write-Output "Added $SamAccountName to '$GroupName' until $until (removed by Remove-ExpiredMembership)."
}
