<#
.SYNOPSIS
    Removes an on-premises admin account from an AD group (the access package's "removed" stage).

.DESCRIPTION
    Idempotent: an account that is not a member is not an error. Clears the expiry marker that
    Add-AdGroupMembership records where the forest has no temporal group membership.
#>
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9._-]{1,20}$')][string] $SamAccountName,
    [ValidatePattern('^[A-Za-z0-9 ._-]{1,64}$')][string] $GroupName = 'Account Operators'
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

$user = Get-ADUser -Server $domain -Credential $credential -Identity $SamAccountName -Properties memberOf, extensionAttribute15
$group = Get-ADGroup -Server $domain -Credential $credential -Identity $GroupName
if ($user.memberOf -contains $group.DistinguishedName) {
    Remove-ADGroupMember -Server $domain -Credential $credential -Identity $group -Members $user -Confirm:$false
    Write-Output "Removed $SamAccountName from '$GroupName'."
}
else {
    Write-Output "$SamAccountName is not a member of '$GroupName'; nothing to remove."
}
$marker = "$($user.extensionAttribute15)"
if ($marker.StartsWith('pum-expiry|')) {
    $rest = @($marker.Split('|') | Where-Object { $_ -and $_ -ne 'pum-expiry' -and -not $_.StartsWith("$GroupName=") })
    if ($rest.Count -gt 0) {
        Set-ADUser -Server $domain -Credential $credential -Identity $user -Replace @{ extensionAttribute15 = ((@('pum-expiry') + $rest) -join '|') }
    }
    else {
        Set-ADUser -Server $domain -Credential $credential -Identity $user -Clear extensionAttribute15
    }
}
