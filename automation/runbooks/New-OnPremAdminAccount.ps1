<#
.SYNOPSIS
    Creates the on-premises admin account of a new starter, resets its password and delivers it out of band.

.DESCRIPTION
    Started by the journey automation when a journey with onPremises.resetPassword is granted (the "User Admin"
    journey: a new password for every two-hour grant). Creates the account in the admin OU if inbound provisioning
    has not yet (or finds the one it or an earlier, interrupted run created; refuses one outside the OU), sets a new random password (never written to any stream, variable asset or
    file) that must be changed at first sign-in, enables the account and sends the password by mail from the
    delivery mailbox to the person's own mailbox. An Exchange transport rule encrypts every message from that
    mailbox (Microsoft Purview Message Encryption); the runbook marks the message confidential as well.
    Teams is not used: Microsoft Graph sends chat messages only with delegated permissions, not as an application.
#>
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9._-]{1,20}$')][string] $SamAccountName,
    [Parameter(Mandatory = $true)][ValidateLength(1, 64)][string] $DisplayName,
    [Parameter(Mandatory = $true)][ValidatePattern('^[^@\s]+@[^@\s]+$')][string] $DeliverTo
)
$ErrorActionPreference = 'Stop'
$VerbosePreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'

Import-Module ActiveDirectory
$null = Connect-AzAccount -Identity
$vault = Get-AutomationVariable -Name 'KeyVaultName'
$domain = Get-AutomationVariable -Name 'DomainFqdn'
$ou = Get-AutomationVariable -Name 'AdminAccountsOu'
$sender = Get-AutomationVariable -Name 'DeliveryMailbox'
$account = Get-AzKeyVaultSecret -VaultName $vault -Name 'ad-runbook-account'
$credential = [pscredential]::new($account.Tags['userName'], $account.SecretValue)

function New-RandomSecret([int] $Length = 24) {
    $alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+=?@'
    $bytes = [byte[]]::new($Length)
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    -join ($bytes | ForEach-Object { $alphabet[$_ % $alphabet.Length] })
}

$existing = Get-ADUser -Server $domain -Credential $credential -LDAPFilter "(sAMAccountName=$SamAccountName)"
if (-not $existing) {
    New-ADUser -Server $domain -Credential $credential -Name $DisplayName -SamAccountName $SamAccountName `
        -UserPrincipalName "$SamAccountName@$domain" -Path $ou -Enabled $false
    Write-Output "Created $SamAccountName in $ou (disabled until its password is set)."
}
elseif ($existing.DistinguishedName -notlike "*,$ou") {
    throw "$SamAccountName exists outside $ou; refusing to reset the password of an account this automation does not own."
}

$plain = New-RandomSecret
$secure = ConvertTo-SecureString -String $plain -AsPlainText -Force
Set-ADAccountPassword -Server $domain -Credential $credential -Identity $SamAccountName -Reset -NewPassword $secure
Set-ADUser -Server $domain -Credential $credential -Identity $SamAccountName -ChangePasswordAtLogon $true
Enable-ADAccount -Server $domain -Credential $credential -Identity $SamAccountName

$token = (Get-AzAccessToken -ResourceUrl 'https://graph.microsoft.com' -AsSecureString).Token
$message = @{
    message = @{
        subject     = "Your on-premises admin account $SamAccountName"
        sensitivity = 'confidential'
        body        = @{ contentType = 'Text'; content = "Account: $SamAccountName@$domain`nInitial password: $plain`nYou must change it at first sign-in." }
        toRecipients = @(@{ emailAddress = @{ address = $DeliverTo } })
    }
    saveToSentItems = $false
} | ConvertTo-Json -Depth 6
Invoke-RestMethod -Method Post -Uri "https://graph.microsoft.com/v1.0/users/$sender/sendMail" -Authentication Bearer `
    -Token $token -ContentType 'application/json' -Body $message | Out-Null
Remove-Variable -Name plain, message, secure -ErrorAction SilentlyContinue
Write-Output "Reset the password of $SamAccountName and sent it by encrypted mail to $DeliverTo."
