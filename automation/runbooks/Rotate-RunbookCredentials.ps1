<#
.SYNOPSIS
    Rotates the password of the AD account the runbooks write with (scheduled weekly; also on demand).

.DESCRIPTION
    The runbooks' AD credential lives only in Key Vault (secret 'ad-runbook-account', its user name in the
    secret's tag userName). This runbook runs on the domain worker as Local System: the worker's computer account
    is delegated "Reset password" on that one service account, so no person ever knows the password, and the first
    run (bootstrap) needs no human to type one. It writes the new password to Key Vault first (a new secret
    version with an expiry), then resets it in AD; if the AD reset fails, the previous value is written back as
    the newest version, so the runbooks never hold a password AD does not know. Nothing secret is written to any
    stream.
#>
param(
    [ValidatePattern('^[A-Za-z0-9._-]{1,20}$')][string] $ServiceAccount = 'svc-pam-runbooks',
    [ValidateRange(1, 90)][int] $ValidDays = 14
)
$ErrorActionPreference = 'Stop'
$VerbosePreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'

Import-Module ActiveDirectory
$null = Connect-AzAccount -Identity
$vault = Get-AutomationVariable -Name 'KeyVaultName'
$domain = Get-AutomationVariable -Name 'DomainFqdn'

function New-RandomSecret([int] $Length = 32) {
    $alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+=?@'
    $bytes = [byte[]]::new($Length)
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    -join ($bytes | ForEach-Object { $alphabet[$_ % $alphabet.Length] })
}

$previous = Get-AzKeyVaultSecret -VaultName $vault -Name 'ad-runbook-account' -ErrorAction SilentlyContinue
$secure = ConvertTo-SecureString -String (New-RandomSecret) -AsPlainText -Force
$tags = @{ userName = "$ServiceAccount@$domain"; rotatedBy = 'Rotate-RunbookCredentials' }
$expires = (Get-Date).ToUniversalTime().AddDays($ValidDays)
$null = Set-AzKeyVaultSecret -VaultName $vault -Name 'ad-runbook-account' -SecretValue $secure -Expires $expires -Tag $tags -ContentType 'password'
try {
    Set-ADAccountPassword -Server $domain -Identity $ServiceAccount -Reset -NewPassword $secure
}
catch {
    if ($previous) {
        $null = Set-AzKeyVaultSecret -VaultName $vault -Name 'ad-runbook-account' -SecretValue $previous.SecretValue -Expires $previous.Expires -Tag $previous.Tags -ContentType 'password'
    }
    throw "The AD reset of $ServiceAccount failed; Key Vault holds the previous password again. $($_.Exception.Message)"
}
Remove-Variable -Name secure -ErrorAction SilentlyContinue
Write-Output "Rotated the password of $ServiceAccount; the new Key Vault version expires $($expires.ToString('o'))."
