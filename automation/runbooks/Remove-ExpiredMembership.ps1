<#
.SYNOPSIS
    Scheduled (hourly) safety net: removes every membership whose recorded end has passed.

.DESCRIPTION
    For forests without temporal group membership, Add-AdGroupMembership records the end of a membership in the
    account's extensionAttribute15 ("pum-expiry|<group>=<UTC ISO 8601>|..."). This runbook removes each membership
    whose end has passed, even when the journey automation's "removed" call never arrived, and keeps the entries
    that have not ended yet.
#>
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

$now = (Get-Date).ToUniversalTime()
$marked = Get-ADUser -Server $domain -Credential $credential -SearchBase $ou -LDAPFilter '(extensionAttribute15=pum-expiry|*)' -Properties extensionAttribute15
$managed = @(Get-AutomationVariable -Name 'ManagedGroups')
foreach ($user in $marked) {
    $keep = @()
    foreach ($entry in @("$($user.extensionAttribute15)".Split('|') | Where-Object { $_ -and $_ -ne 'pum-expiry' })) {
        $groupName, $until = $entry.Split('=', 2)
        if ($groupName -in $managed -and [datetime]::Parse($until).ToUniversalTime() -le $now) {
            Remove-ADGroupMember -Server $domain -Credential $credential -Identity $groupName -Members $user -Confirm:$false
            Write-Output "Removed $($user.SamAccountName) from '$groupName' (ended $until)."
        }
        elseif ($groupName -in $managed) {
            $keep += $entry
        }
    }
    if ($keep.Count -gt 0) {
        Set-ADUser -Server $domain -Credential $credential -Identity $user -Replace @{ extensionAttribute15 = ((@('pum-expiry') + $keep) -join '|') }
    }
    else {
        Set-ADUser -Server $domain -Credential $credential -Identity $user -Clear extensionAttribute15
    }
}
