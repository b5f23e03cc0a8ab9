<#
.SYNOPSIS
    Disables an on-premises admin account (a leaver, or the journey's "removed" stage) and removes its
    memberships in the groups the journeys grant.
#>
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9._-]{1,20}$')][string] $SamAccountName
)
$ErrorActionPreference = 'Stop'
$VerbosePreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'

Import-Module ActiveDirectory
$null = Connect-AzAccount -Identity
$vault = Get-AutomationVariable -Name 'KeyVaultName'
$domain = Get-AutomationVariable -Name 'DomainFqdn'
$ou = Get-AutomationVariable -Name 'AdminAccountsOu'
$account = Get-AzKeyVaultSecret -VaultName $vault -Name 'ad-runbook-account'
$credential = [pscredential]::new($account.Tags['userName'], $account.SecretValue)

$user = Get-ADUser -Server $domain -Credential $credential -Identity $SamAccountName -Properties memberOf
if ($user.DistinguishedName -notlike "*,$ou") {
    throw "$SamAccountName is outside $ou; refusing to disable an account this automation does not own."
}
foreach ($groupName in @(Get-AutomationVariable -Name 'ManagedGroups')) {
    $granted = Get-ADGroup -Server $domain -Credential $credential -Identity $groupName
    if ($user.memberOf -contains $granted.DistinguishedName) {
        Remove-ADGroupMember -Server $domain -Credential $credential -Identity $granted -Members $user -Confirm:$false
    }
}
Disable-ADAccount -Server $domain -Credential $credential -Identity $user
Set-ADUser -Server $domain -Credential $credential -Identity $user -Clear extensionAttribute15
Write-Output "Disabled $SamAccountName and removed its journey group memberships."
